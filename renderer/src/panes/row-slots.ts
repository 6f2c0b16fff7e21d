// Which DOM row each row on screen uses (FileRow.tsx): a row that stays on screen keeps its slot, and rows
// scrolled in take the slots of rows scrolled out, lowest first. The slots are React keys, so after any
// scroll, even a jump across the whole folder, the same set of keys is rendered and React reuses the rows'
// elements instead of removing and creating them.
import { useRef } from 'react';

/** The slot of each index, in order. Pure for a given previous assignment, so a repeated render agrees. */
export function useRowSlots(indexes: readonly number[]): number[] {
  const previous = useRef<ReadonlyMap<number, number>>(new Map());
  const slots = assignSlots(previous.current, indexes);
  previous.current = new Map(indexes.map((index, at) => [index, slots[at]!]));
  return slots;
}

export function assignSlots(previous: ReadonlyMap<number, number>, indexes: readonly number[]): number[] {
  const slots = indexes.map((index) => previous.get(index));
  const used = new Set(slots.filter((slot): slot is number => slot !== undefined));
  let free = 0;
  return slots.map((slot) => {
    if (slot !== undefined) return slot;
    while (used.has(free)) free++;
    used.add(free);
    return free;
  });
}
