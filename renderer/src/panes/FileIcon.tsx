// File-kind icons for the grid. A lucide component per row removed and built an SVG with its paths whenever a
// row's DOM was reused for an entry of another kind while scrolling (FileRow.tsx), a few milliseconds a frame.
// So a file's icon is an empty element whose CSS mask is its kind's icon: the kinds' lucide icons are drawn
// once, hidden, and turned into mask rules set through the CSSOM (which the page's CSP allows, as it allows
// data: images); a row then changes one attribute. Folders keep lucide's own SVG, tinted in two colours.
import { Folder } from 'lucide-react';
import { useLayoutEffect, useRef } from 'react';
import { KIND_ICONS } from '../common/file-kind';

/** Draws the icons once, hidden, and installs their mask rules (App renders it once). */
export function FileKindMasks(): React.JSX.Element {
  const drawn = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const holder = drawn.current;
    if (!holder) return;
    const rules = [...holder.querySelectorAll<SVGSVGElement>('svg[data-kind]')].map((svg) => {
      const markup = new XMLSerializer().serializeToString(svg);
      const url = `url("data:image/svg+xml,${encodeURIComponent(markup)}")`;
      return `.file-icon[data-kind="${svg.dataset.kind}"] { mask-image: ${url}; -webkit-mask-image: ${url}; }`;
    });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(rules.join('\n'));
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    return () => {
      document.adoptedStyleSheets = document.adoptedStyleSheets.filter((other) => other !== sheet);
    };
  }, []);
  return (
    <div ref={drawn} hidden>
      {KIND_ICONS.filter(([id]) => id !== 'folder').map(([id, Icon]) => (
        <Icon key={id} data-kind={id} size={24} />
      ))}
    </div>
  );
}

export function FileIcon({ iconId, className }: { iconId: string; className: string }): React.JSX.Element {
  if (iconId === 'folder') return <Folder size={15} aria-hidden className={className} />;
  return <span aria-hidden className={className} data-kind={iconId} />;
}
