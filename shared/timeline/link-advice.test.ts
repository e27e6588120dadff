import { describe, expect, it } from 'vitest';
import { missingToolProblem, namespaceProblem, unsupportedOsProblem } from './link-advice.ts';

const none = { maxUserNamespaces: 15000, unprivilegedUsernsClone: null, apparmorRestrict: null };

describe('why an emulated link cannot be made', () => {
  it('names user.max_user_namespaces for ENOSPC (the text unshare prints when the limit is 0)', () => {
    const p = namespaceProblem('unshare: unshare failed: No space left on device\n', none);
    expect(p.code).toBe('LINK_NAMESPACES_FORBIDDEN');
    expect(p.params).toMatchObject({ setting: 'user.max_user_namespaces', change: 'sudo sysctl -w user.max_user_namespaces=15000' });
  });

  it('tells EPERM apart by the settings the kernel shows: Debian’s clone switch, Ubuntu’s AppArmor, or a sandbox', () => {
    const eperm = 'unshare: unshare failed: Operation not permitted';
    expect(namespaceProblem(eperm, { ...none, unprivilegedUsernsClone: 0 }).params).toMatchObject({
      setting: 'kernel.unprivileged_userns_clone',
      change: 'sudo sysctl -w kernel.unprivileged_userns_clone=1',
    });
    const apparmor = namespaceProblem('RTNETLINK answers: Operation not permitted\nveth: failed', { ...none, apparmorRestrict: 1 });
    expect(apparmor.params).toMatchObject({ setting: 'kernel.apparmor_restrict_unprivileged_userns' });
    expect(apparmor.reason).toMatch(/AppArmor profile/);
    expect(namespaceProblem(eperm, none).params).toMatchObject({ setting: 'unshare(2)', change: expect.stringMatching(/seccomp=unconfined/) as unknown });
    expect(namespaceProblem('something else broke', none).code).toBe('LINK_SETUP_FAILED');
  });

  it('names the package of a missing tool, and the OS without namespaces', () => {
    expect(missingToolProblem('nft')).toMatchObject({ code: 'LINK_TOOL_MISSING', params: { tool: 'nft', package: 'nftables' } });
    expect(unsupportedOsProblem('darwin').params).toEqual({ platform: 'darwin' });
  });
});
