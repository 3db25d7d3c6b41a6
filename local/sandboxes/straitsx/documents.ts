/**
 * The provider takes documents by link and fetches them itself; it accepts PNG, JPG and PDF files of at
 * most 10 MB. The sandbox does the same, so a link our bucket cannot serve, or a file of the wrong kind,
 * fails here as it would there. Reasons never quote the link: a presigned link is a credential.
 */

/** The provider's file size limit (10 MB per request). */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

/** How the sandbox fetches documents; tests without a file server turn fetching off. */
export interface DocumentCheck {
  fetchDocuments: boolean;
  timeoutMs: number;
}

export type DocumentType = 'PNG' | 'JPG' | 'PDF';

// Magic numbers: PNG's 8-byte signature, JPEG's SOI marker plus the next marker's 0xFF, PDF's "%PDF-".
const SIGNATURES: [DocumentType, number[]][] = [
  ['PNG', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['JPG', [0xff, 0xd8, 0xff]],
  ['PDF', [0x25, 0x50, 0x44, 0x46, 0x2d]],
];

/** The document type of a file by its first bytes, or undefined when it is none the provider takes. */
export function sniffDocument(bytes: Uint8Array): DocumentType | undefined {
  for (const [type, signature] of SIGNATURES) {
    if (signature.every((byte, i) => bytes[i] === byte)) return type;
  }
  return undefined;
}

// Reads at most `limit` + 1 bytes, so a huge file is refused without being held in memory.
async function readLimited(response: Response, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) return undefined;
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

// The reference's link rule makes the scheme optional; a link without one is fetched over https.
const withScheme = (url: string) => (/^https?:\/\//i.test(url) ? url : `https://${url}`);

/** Fetches one document; undefined when it is a PNG, JPG or PDF within the limit, else the reason. */
export async function fetchDocument(url: string, timeoutMs: number): Promise<string | undefined> {
  let bytes: Uint8Array | undefined;
  try {
    const response = await fetch(withScheme(url), { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) {
      await response.body?.cancel();
      return `could not be fetched (HTTP ${response.status})`;
    }
    bytes = await readLimited(response, MAX_DOCUMENT_BYTES);
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return timedOut ? `could not be fetched (no answer within ${timeoutMs} ms)` : 'could not be fetched (connection failed)';
  }
  if (!bytes) return 'must be at most 10 MB';
  return sniffDocument(bytes) ? undefined : 'must be a PNG, JPG or PDF file';
}

/** Fetches every document at once; the first failure in slot order, as `<slot> <reason>`, or undefined. */
export async function checkDocuments(
  documents: readonly { slot: string; url: string }[],
  timeoutMs: number,
): Promise<string | undefined> {
  const reasons = await Promise.all(documents.map((d) => fetchDocument(d.url, timeoutMs)));
  const index = reasons.findIndex((reason) => reason !== undefined);
  return index < 0 ? undefined : `${documents[index]?.slot} ${reasons[index]}`;
}
