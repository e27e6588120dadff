import type { LinkExperiment, LinkLoss, LinkSettings } from '../../../../shared/contract/link.ts';
import type { MessageKey } from '../../i18n/i18n.ts';
import { useT } from '../../store/store-context.tsx';

/** The lessons whose own nftables rules drop segments beyond the loss percentage (link-script.ts). */
const ruled: readonly LinkExperiment[] = ['lossy', 'lost-syn', 'lost-ack'];

/**
 * What the link lost, measured (the client's capture joined with the server's): each end's
 * segments and how many never reached the other, beside the loss the link was set to — a 5 %
 * rule drops about 5 % of what passes it, not exactly 5 % — and the lesson's own drops.
 */
export function LinkSummary({ link, loss }: { link: LinkSettings; loss: LinkLoss }) {
  const t = useT();
  // The way back only when it was set to lose or lost something (a bulk transfer's ACKs, usually none).
  const back = loss.reverseSent > 0 && (link.reverseLossPercent > 0 || loss.reverseLost > 0);
  return (
    <p className="tl-look" data-testid="link-lost" data-lost={loss.lost} data-sent={loss.sent}>
      {t('tl.link.sentLost', { n: loss.sent, lost: loss.lost, pct: loss.lostPercent, set: link.lossPercent })}
      {back && (
        <> {t('tl.link.reverseSentLost', { sent: loss.reverseSent, lost: loss.reverseLost, pct: loss.reverseLostPercent, set: link.reverseLossPercent })}</>
      )}
      {ruled.includes(link.experiment) && <> {t(`tl.link.rule.${link.experiment}` as MessageKey)}</>}
    </p>
  );
}
