import type { Reply, Router, SandboxRequest } from '../kit';
import { DOCUMENT_TYPES } from './lists';
import { invalid, isObject, notFound, ok } from './replies';
import type { StoredDocument, WallexStore } from './store';
import type { UploadServer } from './uploads';

/**
 * Documents as the page documents them: an entry per file with a presigned `uploadUrl` (create) or
 * `uploadURL` (update: the page spells it both ways, and so does the sandbox), read back with a
 * `downloadURL`. Updating an entry may only set `documentType` to nric or passport.
 */

/** The object key of a document's file. */
export const documentKey = (doc: StoredDocument) => `wallex/${doc.userId}/${doc.id}/${doc.documentName}`;

const entry = (doc: StoredDocument) => ({ id: doc.id, documentType: doc.documentType, documentName: doc.documentName });

function documentName(body: Record<string, unknown>, required: boolean): string | Reply | undefined {
  const name = body.documentName;
  if (name === undefined && !required) return undefined;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 255 || /[/\\]/.test(name)) {
    return invalid('documentName must be a file name of 1 to 255 characters');
  }
  return name;
}

/** Adds the document routes of a user. */
export function addDocumentRoutes(router: Router, store: WallexStore, files: UploadServer): void {
  const owned = (request: SandboxRequest) => {
    const doc = store.documents.get(request.params.documentId ?? '');
    return doc && doc.userId === request.params.userId ? doc : undefined;
  };
  const download = (doc: StoredDocument) => ({ ...entry(doc), downloadURL: files.presign('GET', documentKey(doc)) });

  router
    .add('POST', '/v2/users/:userId/documents', (request) => {
      if (!store.users.has(request.params.userId ?? '')) return notFound();
      const body = request.body;
      if (!isObject(body)) return invalid('the body must be a JSON object');
      if (!(DOCUMENT_TYPES as readonly unknown[]).includes(body.documentType)) {
        return invalid(`documentType must be one of: ${DOCUMENT_TYPES.join(', ')}`);
      }
      const name = documentName(body, true);
      if (typeof name !== 'string') return name as Reply;
      const doc = store.addDocument(request.params.userId as string, body.documentType as string, name);
      return ok({ ...entry(doc), uploadUrl: files.presign('PUT', documentKey(doc)) });
    })
    .add('GET', '/v2/users/:userId/documents', (request) => {
      if (!store.users.has(request.params.userId ?? '')) return notFound();
      return ok({ value: store.documentsOf(request.params.userId as string).map(download) });
    })
    .add('GET', '/v2/users/:userId/documents/:documentId', (request) => {
      const doc = owned(request);
      return doc ? ok(download(doc)) : notFound();
    })
    .add('PATCH', '/v2/users/:userId/documents/:documentId', (request) => {
      const doc = owned(request);
      if (!doc) return notFound();
      const body = request.body;
      if (!isObject(body)) return invalid('the body must be a JSON object');
      if (body.documentType !== undefined && body.documentType !== 'nric' && body.documentType !== 'passport') {
        return invalid('documentType must be nric or passport');
      }
      const name = documentName(body, false);
      if (name !== undefined && typeof name !== 'string') return name;
      if (typeof body.documentType === 'string') doc.documentType = body.documentType;
      if (typeof name === 'string') doc.documentName = name;
      return ok({ ...entry(doc), uploadURL: files.presign('PUT', documentKey(doc)) });
    })
    .add('DELETE', '/v2/users/:userId/documents/:documentId', (request) => {
      const doc = owned(request);
      if (!doc) return notFound();
      store.documents.delete(doc.id);
      return ok({ documentId: doc.id, documentType: doc.documentType, documentName: doc.documentName });
    });
}

/** Finds the document a file key belongs to (the key carries user id, document id and current name). */
export function documentForKey(store: WallexStore, key: string): StoredDocument | undefined {
  const [prefix, userId, documentId, ...rest] = key.split('/');
  const doc = store.documents.get(documentId ?? '');
  if (prefix !== 'wallex' || !doc || doc.userId !== userId || doc.documentName !== rest.join('/')) return undefined;
  return doc;
}
