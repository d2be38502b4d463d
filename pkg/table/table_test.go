package table

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"text/tabwriter"

	"k8s.io/cli-runtime/pkg/printers"
)

// kubectlTable is how kubectl get writes the same table: its own tab writer.
func kubectlTable(t *testing.T, headers []string, rows [][]string) string {
	t.Helper()
	var buf bytes.Buffer
	w := printers.GetNewTabWriter(&buf)
	if len(headers) > 0 {
		fmt.Fprintln(w, strings.Join(headers, "\t"))
	}
	for _, r := range rows {
		fmt.Fprintln(w, strings.Join(r, "\t"))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestReadsLikeKubectl(t *testing.T) {
	for _, tc := range []struct {
		name    string
		headers []string
		rows    [][]string
	}{
		{"pods", []string{"POD", "ROLE", "PHASE", "NODE", "KIND", "AGE", "REASON"}, [][]string{
			{"spark-pi-driver", "driver", "Running", "cn-hangzhou.192.168.0.10", "ECS", "5m2s", "-"},
			{"spark-pi-34c0998f9f832e61-exec-10", "executor", "Pending", "-", "-", "34s",
				"0/8 nodes are available: 2 Insufficient cpu. preemption: 0/8 nodes are available: 8 Preemption is not helpful for scheduling."},
		}},
		{"no header", nil, [][]string{{"spark-pi-exec-1", "executor", "hit imc-2ze5", "12.5s"}, {"a", "b", "c", "d"}}},
		{"header alone", []string{"NAME", "ID", "PHASE"}, nil},
		{"empty cells", []string{"ROLE", "PODS", "SCHEDULED", "ON ECI"}, [][]string{
			{"driver", "1/1", "", "0"}, {"executor", "", "4", "1"},
		}},
		{"narrow columns", []string{"IP", "ID", "OK"}, [][]string{{"-", "a", "yes"}, {"-", "bcd", "-"}}},
		{"narrow columns, no header", nil, [][]string{{"-", "a", "x"}, {"-", "b", "y"}}},
		{"cells of other scripts", []string{"POD", "IMAGE"}, [][]string{{"é-driver", "registry.cn-hangzhou.aliyuncs.com/spark:3.5.2"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tab := New(tc.headers...)
			for _, r := range tc.rows {
				tab.Append(r...)
			}
			var got bytes.Buffer
			if err := tab.Write(&got); err != nil {
				t.Fatal(err)
			}
			if want := kubectlTable(t, tc.headers, tc.rows); got.String() != want {
				t.Errorf("got:\n%s\nwant, as kubectl writes it:\n%s", got.String(), want)
			}
		})
	}
}

// kubectl pads a last cell left empty; the plugin writes nothing after a
// row's last cell.
func TestNothingAfterTheLastCell(t *testing.T) {
	tab := New("ROLE", "PODS", "ON ECI")
	tab.Append("driver", "1/1", "")
	tab.Append("executor", "5/5", "4")
	var got bytes.Buffer
	if err := tab.Write(&got); err != nil {
		t.Fatal(err)
	}
	if want := "ROLE       PODS   ON ECI\ndriver     1/1\nexecutor   5/5    4\n"; got.String() != want {
		t.Errorf("got %q, want %q", got.String(), want)
	}
}

func TestGap(t *testing.T) {
	tab := New("STATUS", "CHECK", "RESULT")
	tab.Gap = 2
	tab.Append("WARN", "Spark pod webhook", "no mutating webhook")
	tab.Append("", "", "fix: install the operator's webhook")
	var got, want bytes.Buffer
	if err := tab.Write(&got); err != nil {
		t.Fatal(err)
	}
	tw := tabwriter.NewWriter(&want, 0, 8, 2, ' ', 0)
	fmt.Fprint(tw, "STATUS\tCHECK\tRESULT\nWARN\tSpark pod webhook\tno mutating webhook\n\t\tfix: install the operator's webhook\n")
	tw.Flush()
	if got.String() != want.String() {
		t.Errorf("got:\n%s\nwant:\n%s", got.String(), want.String())
	}
}

func TestEmpty(t *testing.T) {
	var got bytes.Buffer
	if err := New().Write(&got); err != nil || got.Len() != 0 {
		t.Errorf("an empty table wrote %q, %v", got.String(), err)
	}
}

// A watch draws a table of one row for each change: the drawers are reused,
// and a reused one draws each table as a new one would, whatever it drew
// before (wider columns, more of them, another gap).
func TestDrawersAreReused(t *testing.T) {
	made := drawersMade.Load()
	for i := 0; i < 200; i++ {
		cells := []string{fmt.Sprintf("spark-pi-exec-%d", i), "executor", "Running", strings.Repeat("n", i%40), "ECI"}
		if i%3 == 0 {
			cells = cells[:2+i%3]
		}
		tab := New()
		if i%5 == 0 {
			tab.Gap = 2
		}
		tab.Append(cells...)
		var got bytes.Buffer
		if err := tab.Write(&got); err != nil {
			t.Fatal(err)
		}
		want := kubectlTable(t, nil, [][]string{cells})
		if tab.Gap == 2 {
			want = strings.TrimRight(strings.Join(cells, "  "), " ") + "\n"
		}
		if got.String() != want {
			t.Fatalf("table %d: got %q, want %q", i, got.String(), want)
		}
	}
	// One a gap at most (none when an earlier test left them idle).
	if n := drawersMade.Load() - made; n > 2 {
		t.Errorf("%d drawers made for 200 tables drawn one after the other", n)
	}
}

func BenchmarkWriteOneRow(b *testing.B) {
	tab := New()
	tab.Append("spark-pi-fe82c8f85c899304-exec-3", "executor", "Pending", "virtual-kubelet-cn-hangzhou-j", "ECI", "0s", "-")
	b.ReportAllocs()
	for b.Loop() {
		if err := tab.Write(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
