import { QueryRunner, TableColumnOptions, TableForeignKeyOptions } from 'typeorm';

/**
 * Column builders for migrations that run unchanged on SQLite and PostgreSQL. The only
 * differences are the auto-increment id (SQLite needs `integer`) and the timestamp type.
 */
export class Columns {
  constructor(private readonly queryRunner: QueryRunner) {}

  private get isPostgres(): boolean {
    return this.queryRunner.connection.options.type === 'postgres';
  }

  id(): TableColumnOptions {
    return { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' };
  }
  int(name: string, opts: Partial<TableColumnOptions> = {}): TableColumnOptions {
    return { name, type: 'integer', isNullable: false, ...opts };
  }
  bigint(name: string, opts: Partial<TableColumnOptions> = {}): TableColumnOptions {
    return { name, type: 'bigint', isNullable: false, ...opts };
  }
  varchar(name: string, length: number, opts: Partial<TableColumnOptions> = {}): TableColumnOptions {
    return { name, type: 'varchar', length: String(length), isNullable: false, ...opts };
  }
  text(name: string, opts: Partial<TableColumnOptions> = {}): TableColumnOptions {
    return { name, type: 'text', isNullable: false, ...opts };
  }
  bool(name: string, defaultValue: boolean): TableColumnOptions {
    return { name, type: 'boolean', isNullable: false, default: this.isPostgres ? String(defaultValue) : defaultValue ? 1 : 0 };
  }
  date(name: string, opts: Partial<TableColumnOptions> = {}): TableColumnOptions {
    return { name, type: 'date', isNullable: false, ...opts };
  }
  timestamp(name: string, opts: Partial<TableColumnOptions> = {}): TableColumnOptions {
    return { name, type: this.isPostgres ? 'timestamptz' : 'datetime', isNullable: false, ...opts };
  }
  createdAt(): TableColumnOptions {
    return this.timestamp('created_at', { default: this.isPostgres ? 'now()' : "(datetime('now'))" });
  }
  updatedAt(): TableColumnOptions {
    return this.timestamp('updated_at', { default: this.isPostgres ? 'now()' : "(datetime('now'))" });
  }
}

export function fk(column: string, table: string, refColumn = 'id'): TableForeignKeyOptions {
  return { columnNames: [column], referencedTableName: table, referencedColumnNames: [refColumn], onDelete: 'RESTRICT' };
}
