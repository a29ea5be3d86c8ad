package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// perf script -F comm,ip,sym,dso output: one sample per block, innermost
// frame first.
const perfScript = `ka-token 
	ffffffff8d2 clear_page_erms ([kernel.kallsyms])
	ffffffff8d3 asm_exc_page_fault ([kernel.kallsyms])
	         4a5 encoding/json.Unmarshal (/tmp/ka-token)
	         4a6 main.main (/tmp/ka-token)
	         4a7 runtime.main (/tmp/ka-token)

ka-token 
	         1b2 html/template.init (/tmp/ka-token)
	         1b3 runtime.doInit1 (/tmp/ka-token)
	         1b4 runtime.main (/tmp/ka-token)

ka-token 
	         2c1 runtime.usleep.abi0 (/tmp/ka-token)
	         2c2 runtime.sysmon (/tmp/ka-token)
	         2c3 runtime.mstart.abi0 (/tmp/ka-token)

ka-token 
	ffffffff9a1 unmap_page_range ([kernel.kallsyms])
	ffffffff9a2 do_group_exit ([kernel.kallsyms])
	         3d1 runtime.exit.abi0 (/tmp/ka-token)
	         3d2 main.main (/tmp/ka-token)

ka-token 
	         5e1 internal/cpu.cpuid.abi0 (/tmp/ka-token)
	         5e2 runtime.schedinit (/tmp/ka-token)
	         5e3 runtime.rt0_go.abi0 (/tmp/ka-token)
`

func TestPerfsum_SplitsSamplesIntoPhases(t *testing.T) {
	samples, err := parsePerfScript(strings.NewReader(perfScript))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range samples {
		got = append(got, phaseOf(s))
	}
	want := []string{"main", "package init", "other threads", "exit", "runtime start"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("phases mismatch (-want +got):\n%s", diff)
	}
	if !inPageFault(samples[0]) || inPageFault(samples[1]) {
		t.Error("only the first sample is in a page fault")
	}
	if diff := cmp.Diff([]string{"encoding/json.Unmarshal"}, underMain(samples[0])); diff != "" {
		t.Errorf("underMain mismatch (-want +got):\n%s", diff)
	}
}
