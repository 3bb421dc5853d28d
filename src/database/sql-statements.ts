import type { DataSource, EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * SQL for the hot write paths, without TypeORM's query builder. A `save()` rebuilds and
 * re-escapes its INSERT on every call, reads generated columns back with a second SELECT, and
 * inlines some values as literals, so SQLite prepares a new statement per row and churns its
 * statement cache. These statements build their SQL text once per data source, so the driver's
 * statement cache keeps them prepared; values still pass through the driver's own conversion.
 */

type ColumnMetadata = EntityMetadata['columns'][number];

/** `?` placeholders rewritten for the data source's driver (`$1`, `$2`… on PostgreSQL). */
function withDriverPlaceholders(dataSource: DataSource, sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => dataSource.driver.createParameter(`p${index}`, index++));
}

/** A read written once with `?` placeholders; rows come back raw, as the driver gives them. */
export class SqlQuery<Row> {
  private readonly text = new WeakMap<DataSource, string>();

  constructor(private readonly sql: string) {}

  run(tx: EntityManager, params: unknown[]): Promise<Row[]> {
    let text = this.text.get(tx.connection);
    if (text === undefined) {
      text = withDriverPlaceholders(tx.connection, this.sql);
      this.text.set(tx.connection, text);
    }
    return tx.query(text, params);
  }
}

interface PreparedInsert {
  columns: ColumnMetadata[];
  returned: ColumnMetadata[];
  /** SQL text by number of rows. */
  sql: Map<number, string>;
}

/**
 * An INSERT of the given properties of an entity, optionally returning generated columns
 * (RETURNING: SQLite since 3.35 and PostgreSQL). Every listed property must be given, null when
 * empty: a column left to its database default is one not listed. Values are converted as
 * TypeORM converts them (transformers, dates, booleans, simple-json), and returned columns are
 * hydrated as TypeORM hydrates them, so rows read back later look the same.
 */
export class InsertStatement<Entity extends ObjectLiteral, Property extends keyof Entity & string, Returned extends keyof Entity & string = never> {
  private readonly prepared = new WeakMap<DataSource, PreparedInsert>();

  constructor(
    private readonly target: EntityTarget<Entity>,
    private readonly properties: readonly Property[],
    private readonly returning: readonly Returned[] = [],
  ) {}

  async run(tx: EntityManager, rows: ReadonlyArray<Pick<Entity, Property>>): Promise<Array<Pick<Entity, Returned>>> {
    if (rows.length === 0) return [];
    const prepared = this.prepare(tx.connection);
    const driver = tx.connection.driver;
    const params: unknown[] = [];
    for (const row of rows) {
      for (const column of prepared.columns) {
        const value: unknown = row[column.propertyName as Property];
        if (value === undefined) throw new Error(`${column.entityMetadata.name}.${column.propertyName} must be given to insert (null when empty)`);
        params.push(driver.preparePersistentValue(value, column));
      }
    }
    const result: unknown = await tx.query(this.sqlFor(tx.connection, prepared, rows.length), params);
    if (prepared.returned.length === 0) return [];
    return (result as ObjectLiteral[]).map((raw) => {
      const hydrated: ObjectLiteral = {};
      for (const column of prepared.returned) {
        const value: unknown = driver.prepareHydratedValue(raw[column.databaseName], column);
        hydrated[column.propertyName] = value;
      }
      return hydrated as Pick<Entity, Returned>;
    });
  }

  private prepare(dataSource: DataSource): PreparedInsert {
    let prepared = this.prepared.get(dataSource);
    if (!prepared) {
      const metadata = dataSource.getMetadata(this.target);
      const column = (property: string): ColumnMetadata => {
        const found = metadata.findColumnWithPropertyName(property);
        if (!found) throw new Error(`${metadata.name} has no column ${property}`);
        return found;
      };
      prepared = { columns: this.properties.map(column), returned: this.returning.map(column), sql: new Map() };
      this.prepared.set(dataSource, prepared);
    }
    return prepared;
  }

  private sqlFor(dataSource: DataSource, prepared: PreparedInsert, rowCount: number): string {
    let sql = prepared.sql.get(rowCount);
    if (sql === undefined) {
      const driver = dataSource.driver;
      const table = driver.escape(prepared.columns[0].entityMetadata.tableName);
      const names = prepared.columns.map((c) => driver.escape(c.databaseName)).join(', ');
      const tuple = `(${prepared.columns.map(() => '?').join(', ')})`;
      const returning = prepared.returned.length ? ` RETURNING ${prepared.returned.map((c) => driver.escape(c.databaseName)).join(', ')}` : '';
      sql = withDriverPlaceholders(
        dataSource,
        `INSERT INTO ${table} (${names}) VALUES ${Array.from({ length: rowCount }, () => tuple).join(', ')}${returning}`,
      );
      prepared.sql.set(rowCount, sql);
    }
    return sql;
  }
}
