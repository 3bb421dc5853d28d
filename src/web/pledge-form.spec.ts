import { describe, it, expect } from '@jest/globals';
import { pledgeEditRequestFrom, readPledgeEditForm } from './pledge-form';

const typed = {
  title: ' Dogs for Aghdam ',
  status: 'committed',
  channel: 'un_agency',
  channelName: 'UNDP',
  instrument: '',
  pledgedOn: '',
  receiptExpectation: 'owed',
  receiptDueOn: '2026-12-31',
  priorityCodes: ['P03'],
  source: 'letter',
  notes: '',
};

describe('pledgeEditRequestFrom', () => {
  it('sends the description, clears empty text and leaves unchanged priorities out (keeping recorded shares)', () => {
    expect(pledgeEditRequestFrom(readPledgeEditForm(typed), ['P03'])).toEqual({
      request: {
        title: 'Dogs for Aghdam',
        status: 'committed',
        channel: 'un_agency',
        pledgedOn: null,
        receiptExpectation: 'owed',
        receiptDueOn: '2026-12-31',
        channelName: 'UNDP',
        instrument: null,
        source: 'letter',
        notes: null,
      },
      errors: [],
    });
  });

  it('sends an empty channel as null (the source does not say) and no promised date as null', () => {
    const { request } = pledgeEditRequestFrom(readPledgeEditForm({ ...typed, channel: '', receiptExpectation: undefined, receiptDueOn: '' }), ['P03']);
    expect(request).toMatchObject({ channel: null, receiptExpectation: 'not_documented', receiptDueOn: null });
  });

  it('sends the ticked priorities when they changed, including none', () => {
    expect(pledgeEditRequestFrom(readPledgeEditForm({ ...typed, priorityCodes: ['P04', 'P03'] }), ['P03']).request?.priorityCodes).toEqual(['P03', 'P04']);
    expect(pledgeEditRequestFrom(readPledgeEditForm({ ...typed, priorityCodes: undefined }), ['P03']).request?.priorityCodes).toEqual([]);
  });

  it("names each bad field in a desk officer's words and builds no request", () => {
    expect(
      pledgeEditRequestFrom(
        readPledgeEditForm({
          ...typed,
          title: 'ab',
          pledgedOn: '2024-02-30',
          source: 'javascript:alert(1)',
          receiptExpectation: 'late',
          receiptDueOn: '31/12/2026',
        }),
        [],
      ),
    ).toEqual({
      request: null,
      errors: [
        { field: 'title', message: 'Give the pledge a title of at least 3 characters' },
        { field: 'receiptExpectation', message: 'Choose not documented or owed' },
        { field: 'receiptDueOn', message: 'Enter the date as YYYY-MM-DD, or leave it empty when no date was promised' },
        { field: 'pledgedOn', message: 'Enter the date as YYYY-MM-DD, or leave it empty when the source gives none' },
        { field: 'source', message: 'Source may only link to http or https addresses' },
      ],
    });
  });

  it('checks lengths as the API does: characters of the trimmed text, and a text too long is refused whole, never cut to fit', () => {
    const emoji = (n: number) => '\u{1F600}'.repeat(n);
    // 200 emoji are 400 UTF-16 units but 200 characters: a title the API accepts.
    expect(pledgeEditRequestFrom(readPledgeEditForm({ ...typed, title: emoji(200) }), ['P03']).errors).toEqual([]);
    expect(pledgeEditRequestFrom(readPledgeEditForm({ ...typed, title: `  ${'x'.repeat(300)}  ` }), ['P03']).errors).toEqual([]);
    expect(pledgeEditRequestFrom(readPledgeEditForm({ ...typed, title: 'x'.repeat(301) }), ['P03']).errors).toEqual([
      { field: 'title', message: 'title must be at most 300 characters' },
    ]);
    expect(pledgeEditRequestFrom(readPledgeEditForm({ ...typed, notes: emoji(4001) }), ['P03']).errors).toEqual([
      { field: 'notes', message: 'notes must be at most 4000 characters' },
    ]);
    expect(pledgeEditRequestFrom(readPledgeEditForm({ ...typed, channelName: `UNDP${' '.repeat(300)}office` }), ['P03']).errors).toEqual([
      { field: 'channelName', message: 'channelName must be at most 200 characters' },
    ]);
    expect(pledgeEditRequestFrom(readPledgeEditForm({ ...typed, instrument: 'MoU\u0000' }), ['P03']).errors).toEqual([
      { field: 'instrument', message: 'instrument must not contain NUL characters' },
    ]);
  });
});
