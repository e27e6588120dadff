import { contains, formatCidr, lastOf, parseCidr, splitToPrefix, type Cidr } from '../../../../shared/subnet/cidr.ts';
import { hostRange } from '../../../../shared/subnet/calc.ts';
import { bitsOf, formatIp, groupDigits } from '../../../../shared/subnet/ip.ts';
import { useApp, useT } from '../../store/store-context.tsx';
import { Field } from '../../shell/Field.tsx';
import { useOutcome } from './use-subnet-result.ts';

/**
 * A network drawn as a binary tree: divide any block into two halves, join them back. Only the
 * set of divided blocks is state; the tree is recomputed from the root each render.
 */
export function TreeView() {
  const t = useT();
  const root = useApp((s) => s.subnet.treeRoot);
  const divided = useApp((s) => s.subnet.treeDivided);
  const set = useApp((s) => s.setSubnet);
  const outcome = useOutcome(() => parseCidr(root, 'network'), [root]);
  const dividedSet = new Set(divided);
  let leaves = 0;

  function node(c: Cidr, depth: number): React.ReactNode {
    const key = formatCidr(c);
    const isDivided = dividedSet.has(key) && c.prefix < bitsOf(c.version);
    if (isDivided) {
      const [a, b] = splitToPrefix(c, c.prefix + 1) as [Cidr, Cidr];
      return (
        <li key={key} className="tree-node">
          <TreeRow c={c} depth={depth} divided />
          <ul>
            {node(a, depth + 1)}
            {node(b, depth + 1)}
          </ul>
        </li>
      );
    }
    leaves++;
    return (
      <li key={key} className="tree-node leaf">
        <TreeRow c={c} depth={depth} divided={false} />
      </li>
    );
  }

  // Built before rendering so `leaves` is counted by the time the summary line shows it.
  const tree = outcome.ok ? node(outcome.value, 0) : null;
  return (
    <div className="subnet-tree">
      <Field
        id="tree-root"
        label={t('subnet.tree.root')}
        hint={t('subnet.tree.hint')}
        value={root}
        onChange={(v) => set({ treeRoot: v, treeDivided: [] })}
        error={outcome.ok ? null : outcome.message}
      />
      {tree && (
        <>
          <p className="split-summary" data-testid="tree-leaves">
            {t('subnet.tree.leaves', { count: leaves })}
          </p>
          <ul className="tree" data-testid="subnet-tree">
            {tree}
          </ul>
        </>
      )}
    </div>
  );
}

function TreeRow({ c, depth, divided }: { c: Cidr; depth: number; divided: boolean }) {
  const t = useT();
  const divide = useApp((s) => s.divideBlock);
  const join = useApp((s) => s.joinBlock);
  const key = formatCidr(c);
  const range = hostRange(c);
  const canDivide = c.prefix < bitsOf(c.version) && depth < 24;
  return (
    <div className={`tree-row${divided ? ' divided' : ''}`} data-testid="tree-row" data-cidr={key}>
      <span className="tree-cidr mono">{key}</span>
      <span className="muted mono tree-range">
        {formatIp(c.version, c.network)} – {formatIp(c.version, lastOf(c))}
      </span>
      <span className="muted tree-hosts">{t('subnet.tree.hosts', { hosts: groupDigits(range.hosts.toString()) }, Number(range.hosts))}</span>
      {divided ? (
        <button
          className="button small"
          onClick={() =>
            join(key, (other) => {
              try {
                const o = parseCidr(other);
                return o.prefix > c.prefix && contains(c, o.version, o.network);
              } catch {
                return false;
              }
            })
          }
        >
          {t('subnet.tree.join')}
        </button>
      ) : (
        <button className="button small" disabled={!canDivide} onClick={() => divide(key)}>
          {t('subnet.tree.divide')}
        </button>
      )}
    </div>
  );
}
