import type { StateCreator } from 'zustand/vanilla';
import type { NetInterface } from '../../../shared/contract/index.ts';
import type { ContractClient } from '../client/contract-client.ts';

export type SubnetTab = 'calc' | 'same' | 'split' | 'tree' | 'summarize' | 'interfaces';
export type SplitMode = 'prefix' | 'count' | 'hosts';

/**
 * What the user typed in the subnet panel. Results are not stored: the components derive them
 * from these fields with the pure maths in shared/subnet, so they can never go stale.
 */
export interface SubnetSlice {
  subnet: {
    tab: SubnetTab;
    calcInput: string;
    sameA: string;
    sameB: string;
    sameMask: string;
    sameMaskB: string;
    splitNetwork: string;
    splitMode: SplitMode;
    splitValue: string;
    summarizeText: string;
    excludeNetwork: string;
    excludeRemove: string;
    interfaces: NetInterface[] | null;
    interfacesError: string | null;
    treeRoot: string;
    /** Blocks (canonical CIDR text) the user has divided into halves; the tree is derived from these. */
    treeDivided: string[];
  };
  setSubnet(patch: Partial<SubnetSlice['subnet']>): void;
  loadInterfaces(): Promise<void>;
  /** Puts an address into the calculator and shows it (from the interface list). */
  calculateAddress(text: string): void;
  divideBlock(cidr: string): void;
  /** Joins a divided block back into one: it and every block under it stop being divided. */
  joinBlock(cidr: string, isInside: (candidate: string) => boolean): void;
}

export const initialSubnet: SubnetSlice['subnet'] = {
  tab: 'calc',
  calcInput: '192.168.7.20/24',
  sameA: '192.168.7.20',
  sameB: '192.168.13.18',
  sameMask: '255.255.255.0',
  sameMaskB: '',
  splitNetwork: '192.168.1.0/24',
  splitMode: 'prefix',
  splitValue: '26',
  summarizeText: '10.0.0.0/24\n10.0.1.0/24\n10.0.2.0/23\n192.168.0.5-192.168.0.20',
  excludeNetwork: '10.0.0.0/24',
  excludeRemove: '10.0.0.64/26',
  interfaces: null,
  interfacesError: null,
  treeRoot: '10.0.0.0/22',
  treeDivided: ['10.0.0.0/22', '10.0.0.0/23'],
};

export function createSubnetSlice<T extends SubnetSlice>(client: ContractClient): StateCreator<T, [], [], SubnetSlice> {
  return (set, get) => ({
    subnet: initialSubnet,
    setSubnet(patch) {
      set({ subnet: { ...get().subnet, ...patch } } as Partial<T>);
    },
    async loadInterfaces() {
      const r = await client.invoke('net.interfaces', {});
      get().setSubnet(r.ok ? { interfaces: r.value, interfacesError: null } : { interfacesError: r.error.message });
    },
    calculateAddress(text) {
      get().setSubnet({ calcInput: text, tab: 'calc' });
    },
    divideBlock(cidr) {
      const divided = get().subnet.treeDivided;
      if (!divided.includes(cidr)) get().setSubnet({ treeDivided: [...divided, cidr] });
    },
    joinBlock(cidr, isInside) {
      get().setSubnet({ treeDivided: get().subnet.treeDivided.filter((c) => c !== cidr && !isInside(c)) });
    },
  });
}
