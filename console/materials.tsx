// 材料: each kind the step needs or the request carries, its latest version with its SHA-256, the
// version approved, and an upload for the ones still missing (H6 art. 34, L3).
import { useState } from 'preact/hooks';
import { type DocumentVersion, type TaskDetail, api, download } from './api';
import { bytesText, fmtInstant, shortHash } from './format';
import { t } from './i18n';
import { Problem } from './ui';

export function Materials({
  requestId,
  materials,
  canUpload,
  onUploaded,
}: {
  requestId: string;
  materials: TaskDetail['materials'];
  canUpload: boolean;
  onUploaded: (text: string) => void;
}) {
  const [error, setError] = useState<unknown>();
  const [kind, setKind] = useState(materials.missing[0] ?? materials.required[0] ?? '');
  const [busy, setBusy] = useState(false);
  const upload = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
    if (!file) return;
    const body = new FormData();
    body.set('kind', kind);
    body.set('file', file);
    setBusy(true);
    try {
      const v = await api<DocumentVersion>(`/requests/${encodeURIComponent(requestId)}/documents`, {
        method: 'POST',
        body,
      });
      setError(undefined);
      form.reset();
      onUploaded(t('task.uploaded', { name: v.name }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const open = async (v: DocumentVersion) => {
    try {
      const url = URL.createObjectURL(await download(v.href));
      const a = document.createElement('a');
      a.href = url;
      a.download = v.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(err);
    }
  };
  if (materials.documents.length === 0 && materials.required.length === 0) {
    return (
      <section class="card">
        <h2>{t('task.materials')}</h2>
        <p class="muted">{t('task.noMaterials')}</p>
      </section>
    );
  }
  const kinds = [...new Set([...materials.required, ...materials.documents.map((d) => d.kind)])];
  return (
    <section class="card materials">
      <h2>{t('task.materials')}</h2>
      {materials.missing.length > 0 && (
        <p class="warn" role="note">
          {t('task.missing', {
            kinds: materials.missing.map((k) => materials.documents.find((d) => d.kind === k)?.label ?? k).join('、'),
          })}
        </p>
      )}
      <ul class="documents">
        {materials.documents.map((d) => (
          <li key={d.kind} class={d.latest ? '' : 'missing'} data-kind={d.kind}>
            <strong>{d.label}</strong>
            {d.required && <span class="badge">{t('start.required')}</span>}
            {d.latest ? (
              <>
                <button class="link" onClick={() => void open(d.latest!)}>
                  {d.latest.name}
                </button>
                <span class="muted small">
                  {t('task.version', { n: d.latest.version })} · {bytesText(d.latest.size)} ·{' '}
                  {fmtInstant(d.latest.uploadedAt)}
                </span>
                <code class="hash" title={d.latest.sha256}>
                  SHA-256 {shortHash(d.latest.sha256)}
                </code>
                {d.approved && !d.changedSinceApproval && <span class="badge ok">{t('task.approvedVersion')}</span>}
                {d.changedSinceApproval && <span class="badge soon">{t('task.changedSinceApproval')}</span>}
              </>
            ) : (
              <span class="muted">—</span>
            )}
          </li>
        ))}
      </ul>
      {canUpload && kinds.length > 0 && (
        <form class="upload" onSubmit={(e) => void upload(e)}>
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value)} aria-label="kind">
            {kinds.map((k) => (
              <option key={k} value={k}>
                {materials.documents.find((d) => d.kind === k)?.label ?? k}
              </option>
            ))}
          </select>
          <input type="file" name="file" required aria-label={t('task.upload')} />
          <button type="submit" disabled={busy}>
            {t('task.upload')}
          </button>
        </form>
      )}
      <Problem error={error} />
    </section>
  );
}
