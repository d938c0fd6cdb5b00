/** Request parameters of one call, query string over body (Binance's precedence). */
export class RequestParams {
  private readonly values = new Map<string, string>();

  constructor(rawQuery: string, rawBody: string) {
    for (const source of [rawBody, rawQuery]) {
      for (const [key, value] of new URLSearchParams(source)) this.values.set(key, value);
    }
  }

  static of(values: Readonly<Record<string, string | number | boolean>>): RequestParams {
    const params = new RequestParams('', '');
    for (const [key, value] of Object.entries(values)) params.values.set(key, String(value));
    return params;
  }

  /** The value, or undefined when absent or empty (Binance treats both as "not sent"). */
  get(name: string): string | undefined {
    const value = this.values.get(name);
    return value === undefined || value.length === 0 ? undefined : value;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}
