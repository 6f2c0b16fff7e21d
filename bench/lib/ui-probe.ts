// What the UI suite measures inside the page, where the time of a paint can be seen: a small script installed
// in the window before the app loads, and typed wrappers to call it. It finds the app's parts as the UI tests
// do, by their roles and names (the pane's region, its "Address" textbox, the rows of its grid, its footer).
//
// Times are the page's own clock (performance.now()), from the keydown of the Enter that submits the address:
// - "painted" is when the task that follows the frame showing it runs: a message posted from that frame's
//   requestAnimationFrame callback, which the browser handles only once the frame's style, layout and paint
//   are done;
// - a frame's time, while scrolling, is from the frame's start (the timestamp requestAnimationFrame gives,
//   taken before the frame's scroll events and React's render run) to that same message: what the main thread
//   spent producing it. Headless Chromium runs frames at a fixed 60 Hz whatever the work, so the intervals
//   between frames only say how many were late, not how much work each took.
import type { Page } from 'playwright-core';

/** The script: defines window.__ferryProbe. Plain JavaScript, as the page runs it. */
const PROBE = String.raw`
(() => {
  const pane = (side) => document.querySelector('[data-pane="' + side + '"]');
  const afterPaint = (then) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => then(performance.now());
    channel.port2.postMessage(null);
  };
  const probe = {
    // Notes the pane's listing as it stands and times the next Enter in its address bar.
    arm(side) {
      const region = pane(side);
      probe.before = region.getAttribute('data-listing-id');
      probe.requested = undefined;
      const input = region.querySelector('input[aria-label="Address"]');
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && probe.requested === undefined) probe.requested = performance.now();
      }, { capture: true });
    },
    // Resolves with the times from the request to the first row painted and to the footer saying "expected".
    listed(side, expected, timeoutMs) {
      const region = pane(side);
      return new Promise((resolve, reject) => {
        let firstRow;
        let firstSeen = false;
        const deadline = performance.now() + timeoutMs;
        const frame = () => {
          const id = region.getAttribute('data-listing-id');
          const fresh = id !== null && id !== probe.before;
          if (fresh && !firstSeen && region.querySelector('[role="grid"] [role="row"][aria-rowindex="2"]')) {
            firstSeen = true;
            afterPaint((at) => (firstRow = at));
          }
          const state = region.getAttribute('data-listing');
          const footer = region.querySelector('footer')?.textContent ?? '';
          if (fresh && (state === 'failed' || state === 'cancelled'))
            return reject(new Error('the listing ended ' + state + ': ' + region.textContent.slice(0, 500)));
          if (fresh && state === 'complete' && footer.includes(expected)) {
            return afterPaint((at) => {
              const requested = probe.requested ?? NaN;
              resolve({ firstRowMs: (firstRow ?? at) - requested, completeMs: at - requested });
            });
          }
          if (performance.now() > deadline)
            return reject(new Error('not listed in time; the footer says "' + footer + '", state ' + state));
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      });
    },
    // Scrolls the pane's grid from top to bottom at a steady pace over durationMs, one step a frame.
    scroll(side, durationMs) {
      const region = pane(side);
      const scroller = region.querySelector('.grid-scroller');
      const bottom = scroller.scrollHeight - scroller.clientHeight;
      scroller.scrollTop = 0;
      const work = [];
      const intervals = [];
      const channel = new MessageChannel();
      channel.port1.onmessage = (event) => work.push(performance.now() - event.data);
      return new Promise((resolve) => {
        let start;
        let last;
        let after = 0;
        const frame = (now) => {
          if (start === undefined) start = now;
          else intervals.push(now - last);
          last = now;
          channel.port2.postMessage(now);
          const progress = Math.min(1, (now - start) / durationMs);
          scroller.scrollTop = progress * bottom;
          // Two more frames once at the bottom: the last step's scroll event and render come a frame later.
          if (progress < 1 || after++ < 2) return void requestAnimationFrame(frame);
          afterPaint(() => {
            const rows = [...region.querySelectorAll('[role="grid"] [role="row"][aria-rowindex]')];
            const lastIndex = Math.max(...rows.map((row) => Number(row.getAttribute('aria-rowindex'))));
            resolve({ work: work.slice(1), intervals, lastRowIndex: lastIndex, pixels: bottom });
          });
        };
        requestAnimationFrame(frame);
      });
    },
  };
  window.__ferryProbe = probe;
})();
`;

export interface ListedTimes {
  firstRowMs: number;
  completeMs: number;
}

export interface ScrollFrames {
  /** Main-thread time of each frame, ms (see above). */
  work: number[];
  /** Time between consecutive frames, ms. */
  intervals: number[];
  /** The highest aria-rowindex in the grid at the end (entries + 1 when the last row shows). */
  lastRowIndex: number;
  pixels: number;
}

/** Installs the probe in every document the page loads from now on. */
export async function installProbe(page: Page): Promise<void> {
  await page.addInitScript(PROBE);
}

export async function armRequest(page: Page, side: 'left' | 'right'): Promise<void> {
  await page.evaluate(`window.__ferryProbe.arm(${JSON.stringify(side)})`);
}

export async function waitListed(
  page: Page,
  side: 'left' | 'right',
  footerText: string,
  timeoutMs: number,
): Promise<ListedTimes> {
  const call = `window.__ferryProbe.listed(${JSON.stringify(side)}, ${JSON.stringify(footerText)}, ${timeoutMs})`;
  return (await page.evaluate(call)) as ListedTimes;
}

export async function scrollFrames(page: Page, side: 'left' | 'right', durationMs: number): Promise<ScrollFrames> {
  return (await page.evaluate(`window.__ferryProbe.scroll(${JSON.stringify(side)}, ${durationMs})`)) as ScrollFrames;
}
