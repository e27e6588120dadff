import { describe, expect, it } from 'vitest';
import { captureAdvice, grantAdvice, installAdvice } from './capture-advice.ts';

describe('capture advice', () => {
  it('tells each OS how to allow capture, in both languages, never by running Wirelab as root', () => {
    for (const platform of ['linux', 'darwin', 'win32', 'freebsd']) {
      for (const lang of ['en', 'zh-CN'] as const) expect(grantAdvice(platform, lang).length).toBeGreaterThan(20);
      expect(grantAdvice(platform, 'zh-CN')).toMatch(/[\u4e00-\u9fff]/);
      expect(grantAdvice(platform, 'zh-CN')).not.toBe(grantAdvice(platform, 'en'));
    }
    expect(grantAdvice('linux')).toMatch(/setcap cap_net_raw,cap_net_admin=eip/);
    expect(grantAdvice('linux', 'zh-CN')).toMatch(/setcap cap_net_raw,cap_net_admin=eip/);
    expect(grantAdvice('linux', 'zh-CN')).toMatch(/不要以 root 身份运行 Wirelab/);
    expect(grantAdvice('darwin')).toMatch(/ChmodBPF/);
    expect(grantAdvice('win32', 'zh-CN')).toMatch(/Npcap/);
  });

  it('says to install first when nothing can capture, then how to allow it', () => {
    expect(captureAdvice('CAPTURE_UNAVAILABLE', 'linux')).toMatch(
      /^Install it \(Debian\/Ubuntu: sudo apt install tcpdump.*\), then give tcpdump the capture capability/,
    );
    expect(captureAdvice('CAPTURE_UNAVAILABLE', 'linux', 'zh-CN')).toBe(`${installAdvice('linux', 'zh-CN')}${grantAdvice('linux', 'zh-CN')}`);
    expect(captureAdvice('CAPTURE_NOT_PERMITTED', 'win32')).toBe(grantAdvice('win32'));
  });

  it('on Windows names Wireshark once, then Npcap with loopback support and its admin-only option (both languages)', () => {
    const en = captureAdvice('CAPTURE_UNAVAILABLE', 'win32');
    expect(en).toMatch(/^Install Wireshark \(it brings dumpcap\), then install Npcap .*"Support loopback traffic" ticked/);
    expect(en.match(/Wireshark\b(?!')/g)).toHaveLength(1); // not "install Wireshark …, then install Wireshark with Npcap"
    expect(en).toMatch(/Administrators only/);
    const zh = captureAdvice('CAPTURE_UNAVAILABLE', 'win32', 'zh-CN');
    expect(zh).toMatch(/^先安装 Wireshark（它带有 dumpcap），然后安装 Npcap/);
    expect(zh.match(/安装 Wireshark/g)).toHaveLength(1);
    for (const lang of ['en', 'zh-CN'] as const) expect(captureAdvice('CAPTURE_NOT_PERMITTED', 'win32', lang)).toMatch(/Npcap.*Support loopback traffic/);
    expect(grantAdvice('win32')).toMatch(/^Install Npcap/);
  });
});
