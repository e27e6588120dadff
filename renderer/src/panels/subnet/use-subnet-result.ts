import { useMemo } from 'react';
import { SubnetError } from '../../../../shared/subnet/subnet-error.ts';
import { useLocale } from '../../store/store-context.tsx';
import { errorsZh } from './subnet-zh.ts';

export type Outcome<T> = { ok: true; value: T } | { ok: false; field: string | undefined; message: string };

/** Runs pure maths on what was typed; a mistake becomes a message in the UI language, never a crash. */
export function useOutcome<T>(compute: () => T, deps: unknown[]): Outcome<T> {
  const locale = useLocale();
  return useMemo(() => {
    try {
      return { ok: true, value: compute() };
    } catch (e) {
      if (e instanceof SubnetError) {
        const zh = locale === 'zh-CN' ? errorsZh[e.rule] : undefined;
        return { ok: false, field: e.field, message: zh ? zh(e.params) : e.message };
      }
      return { ok: false, field: undefined, message: e instanceof Error ? e.message : String(e) };
    }
    // The caller names what `compute` reads (the inputs typed): a hook that takes its
    // dependencies as an argument, as useMemo itself does.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, locale]);
}
