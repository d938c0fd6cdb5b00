/**
 * An exchange error as a short message a trader can read in the order list: ccxt's messages
 * carry the request URL, and a proxy or the exchange's edge may answer with a whole HTML page.
 * Neither belongs in the log or on the dashboard.
 */

const MAX_LENGTH = 240;
const URL_PATTERN = /\b(?:https?|wss?):\/\/[^\s"'<>]+/gi;
const HTML_START = /<(?:!doctype|html|head|body|title|h1|center|div|p)\b/i;

export function plainReason(text: string): string {
  let out = text;
  const html = out.search(HTML_START);
  if (html >= 0) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(out.slice(html))?.[1]?.trim();
    out = `${out.slice(0, html).trimEnd()} (an HTML error page${title ? `: ${title}` : ''})`;
  }
  out = out.replace(/<[^>]{0,200}>/g, ' ');
  out = out.replace(URL_PATTERN, (url) => {
    try {
      return `(${new URL(url).host})`;
    } catch {
      return '(url)';
    }
  });
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_LENGTH ? `${out.slice(0, MAX_LENGTH - 1)}…` : out;
}
