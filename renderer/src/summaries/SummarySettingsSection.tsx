// Settings › Summaries: on or off, how much of a file is read, the Bedrock model and region, the Azure OpenAI
// fallback (endpoint, deployment, and its key, which goes to the keychain through its own call and is never
// shown back, or an Entra ID sign-in: tenant and app registration), and forgetting the connections' consents. Text fields apply when they lose the focus or on
// Enter, each with the settings' own rule (a bad value says why beside the field and changes nothing).
import { KeyRound } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useStore } from 'zustand';
import { summarySettingsSchema, type SummarySettings } from '../../../shared/api';
import type { SummaryStatus } from '../../../shared/summaries';
import { useWorkspace } from '../app/workspace';
import { errorText } from '../common/error-text';
import { plural } from '../common/format';
import { settingsStore } from '../settings/settings-store';

const KIB = 1024;

export function SummarySettingsSection(): React.JSX.Element {
  const { api } = useWorkspace();
  const summaries = useStore(settingsStore, (state) => state.settings.summaries);
  const [status, setStatus] = useState<SummaryStatus>();
  const [failure, setFailure] = useState<string>();
  const [key, setKey] = useState('');

  useEffect(() => {
    void api.summaries.status().then(setStatus, (error: unknown) => setFailure(errorText(error)));
  }, [api]);

  /** Applies a change to the summaries' settings; resolves with why it was refused, if it was. */
  const change = async (patch: Partial<SummarySettings>): Promise<string | undefined> => {
    const next = summarySettingsSchema.safeParse({ ...summaries, ...patch });
    if (!next.success) return next.error.issues[0]?.message ?? 'Not a valid value.';
    try {
      settingsStore.getState().set(await api.settings.set({ summaries: next.data }));
      return undefined;
    } catch (error) {
      return errorText(error);
    }
  };
  const bedrock = (patch: Partial<SummarySettings['bedrock']>) =>
    change({ bedrock: { ...summaries.bedrock, ...patch } });
  const azure = (patch: Partial<SummarySettings['azureOpenAI']>) =>
    change({ azureOpenAI: { ...summaries.azureOpenAI, ...patch } });
  const keyCall = (call: Promise<SummaryStatus>) =>
    call.then(
      (next) => {
        setStatus(next);
        setFailure(next.notice);
        setKey('');
      },
      (error: unknown) => setFailure(errorText(error)),
    );

  return (
    <fieldset className="settings-section">
      <legend>Summaries</legend>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={summaries.enabled}
          onChange={(event) => void change({ enabled: event.target.checked }).then(setFailure)}
        />
        Summarize files with AI
      </label>
      <div className="settings-row">
        <TextSetting
          label="Read at most (KiB)"
          value={String(Math.round(summaries.maxBytes / KIB))}
          inputMode="numeric"
          onCommit={(text) =>
            /^\d+$/.test(text) ? change({ maxBytes: Number(text) * KIB }) : Promise.resolve('A number of KiB.')
          }
        />
        <TextSetting
          label="Bedrock region"
          value={summaries.bedrock.region ?? ''}
          placeholder="from AWS_REGION"
          onCommit={(text) => bedrock({ region: text || null })}
        />
      </div>
      <TextSetting
        label="Bedrock model id or inference profile"
        value={summaries.bedrock.modelId}
        onCommit={(text) => bedrock({ modelId: text || summarySettingsSchema.parse({}).bedrock.modelId })}
      />
      <div className="settings-row">
        <TextSetting
          label="Azure OpenAI endpoint (the fallback)"
          value={summaries.azureOpenAI.endpoint ?? ''}
          placeholder="https://NAME.openai.azure.com"
          onCommit={(text) => azure({ endpoint: text || null })}
        />
        <TextSetting
          label="Azure OpenAI deployment"
          value={summaries.azureOpenAI.deployment ?? ''}
          onCommit={(text) => azure({ deployment: text || null })}
        />
      </div>
      <label className="field">
        <span>Azure OpenAI sign-in</span>
        <select
          value={summaries.azureOpenAI.auth}
          onChange={(event) => void azure({ auth: event.target.value as 'key' | 'entra' }).then(setFailure)}
        >
          <option value="key">API key (kept in the keychain)</option>
          <option value="entra">Entra ID (a code to enter on Microsoft's sign-in page)</option>
        </select>
      </label>
      {summaries.azureOpenAI.auth === 'entra' ? (
        <div className="settings-row">
          <TextSetting
            label="Tenant ID"
            value={summaries.azureOpenAI.tenantId ?? ''}
            placeholder="organizations"
            onCommit={(text) => azure({ tenantId: text || null })}
          />
          <TextSetting
            label="Application (client) ID"
            value={summaries.azureOpenAI.clientId ?? ''}
            onCommit={(text) => azure({ clientId: text || null })}
          />
        </div>
      ) : (
        <div className="field">
          <label htmlFor="summary-azure-key">Azure OpenAI API key</label>
          <span className="settings-key">
            <input
              id="summary-azure-key"
              type="password"
              autoComplete="new-password"
              spellCheck={false}
              value={key}
              placeholder={status?.azureOpenAIKeyStored ? 'Type a new key to replace it' : ''}
              onChange={(event) => setKey(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && key) void keyCall(api.summaries.setAzureOpenAIKey({ key }));
              }}
            />
            <button
              type="button"
              disabled={!key}
              onClick={() => void keyCall(api.summaries.setAzureOpenAIKey({ key }))}
            >
              Save key
            </button>
          </span>
          <small className="cm-hint">
            {status?.azureOpenAIKeyFromEnvironment ? 'AZURE_OPENAI_API_KEY is set and is used. ' : ''}
            {status?.azureOpenAIKeyStored ? (
              <>
                <KeyRound size={12} aria-hidden className="cm-secret-icon" /> A key is stored in the keychain.{' '}
                <button
                  type="button"
                  className="link-button"
                  onClick={() => void keyCall(api.summaries.setAzureOpenAIKey({ key: null }))}
                >
                  Remove it
                </button>
              </>
            ) : (
              'No key stored.'
            )}
          </small>
        </div>
      )}
      <div className="settings-consents">
        <span className="muted">
          {status
            ? status.consents === 0
              ? 'Each connection asks before its first file is sent.'
              : `You agreed to send files from ${plural(status.consents, 'connection')}.`
            : ''}
        </span>
        <button
          type="button"
          disabled={!status || status.consents === 0}
          onClick={() => void keyCall(api.summaries.forgetConsents())}
        >
          Forget consents{status ? ` (${status.consents})` : ''}
        </button>
      </div>
      {failure && (
        <p className="cm-error" role="alert">
          {failure}
        </p>
      )}
    </fieldset>
  );
}

/** A text setting, applied on blur or Enter. */
function TextSetting({
  label,
  value,
  placeholder,
  inputMode,
  onCommit,
}: {
  label: string;
  value: string;
  placeholder?: string;
  inputMode?: 'numeric';
  onCommit: (text: string) => Promise<string | undefined>;
}): React.JSX.Element {
  const [text, setText] = useState(value);
  const [problem, setProblem] = useState<string>();
  useEffect(() => setText(value), [value]);
  const commit = () => {
    const trimmed = text.trim();
    if (trimmed === value) return setProblem(undefined);
    void onCommit(trimmed).then(setProblem);
  };
  return (
    <label className="field">
      <span>{label}</span>
      <input
        value={text}
        placeholder={placeholder}
        inputMode={inputMode}
        spellCheck={false}
        aria-invalid={problem ? true : undefined}
        onChange={(event) => setText(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit();
        }}
      />
      {problem && <small className="cm-error">{problem}</small>}
    </label>
  );
}
