// Placeholder page until the two-pane UI lands: shows the product name and which API version answers.
import { useEffect, useState } from 'react';
import type { VersionInfo } from '../../shared/api';
import { getApi } from './api';

export function App(): React.JSX.Element {
  const [version, setVersion] = useState<VersionInfo | 'none' | undefined>();

  useEffect(() => {
    const api = getApi();
    if (!api) return setVersion('none');
    api.version().then(setVersion, () => setVersion('none'));
  }, []);

  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: '2rem' }}>
      <h1>FileFerry</h1>
      <p data-testid="api-version">
        {version === undefined
          ? 'Connecting…'
          : version === 'none'
            ? 'No API available'
            : `API version ${version.api} (app ${version.app})`}
      </p>
    </main>
  );
}
