// Command vulngate reads govulncheck's JSON stream (-format json) on stdin,
// lists every finding by how close Suara's code comes to it, and exits 1
// when code Suara calls has a vulnerability with a fixed version available.
// scripts/vuln.sh (make vuln) runs it.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type frame struct {
	Module   string `json:"module"`
	Version  string `json:"version"`
	Package  string `json:"package"`
	Function string `json:"function"`
	Receiver string `json:"receiver"`
	Position *struct {
		Filename string `json:"filename"`
		Line     int    `json:"line"`
	} `json:"position"`
}

type message struct {
	OSV *struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	} `json:"osv"`
	Finding *struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	} `json:"finding"`
}

// finding is one vulnerability at its closest level: called, imported or required.
type finding struct {
	id, summary, module, found, fixed, level, trace string
}

var levels = map[string]int{"called": 0, "imported": 1, "required": 2}

func main() {
	fs, err := read(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vulngate:", err)
		os.Exit(2)
	}
	fail := report(os.Stdout, fs)
	if fail > 0 {
		fmt.Printf("FAIL: %d called vulnerabilities have a fix: upgrade the module or the Go toolchain.\n", fail)
		os.Exit(1)
	}
}

func read(r io.Reader) ([]finding, error) {
	dec := json.NewDecoder(r)
	summaries := map[string]string{}
	byID := map[string]*finding{}
	for {
		var m message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("read govulncheck json: %w", err)
		}
		if m.OSV != nil {
			summaries[m.OSV.ID] = m.OSV.Summary
		}
		if m.Finding == nil || len(m.Finding.Trace) == 0 {
			continue
		}
		f := m.Finding
		vuln := f.Trace[0]
		level := "required"
		switch {
		case vuln.Function != "":
			level = "called"
		case vuln.Package != "":
			level = "imported"
		}
		cur := byID[f.OSV]
		if cur != nil && levels[cur.level] <= levels[level] {
			continue
		}
		byID[f.OSV] = &finding{id: f.OSV, module: vuln.Module, found: vuln.Version, fixed: f.FixedVersion, level: level, trace: trace(f.Trace)}
	}
	var out []finding
	for id, f := range byID {
		f.summary = summaries[id]
		out = append(out, *f)
	}
	sort.Slice(out, func(i, j int) bool {
		if levels[out[i].level] != levels[out[j].level] {
			return levels[out[i].level] < levels[out[j].level]
		}
		return out[i].id < out[j].id
	})
	return out, nil
}

// trace renders a call trace from Suara's code (last frame) to the
// vulnerable symbol (first frame).
func trace(fr []frame) string {
	if fr[0].Function == "" {
		return ""
	}
	var parts []string
	for i := len(fr) - 1; i >= 0; i-- {
		name := fr[i].Function
		if fr[i].Receiver != "" {
			name = strings.TrimPrefix(fr[i].Receiver, "*") + "." + name
		}
		name = fr[i].Package + "." + name
		if p := fr[i].Position; p != nil && i == len(fr)-1 {
			name += fmt.Sprintf(" (%s:%d)", p.Filename, p.Line)
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, " -> ")
}

// report lists the findings and returns how many are called and fixable.
func report(w io.Writer, fs []finding) int {
	fail := 0
	for _, f := range fs {
		fixed := f.fixed
		if fixed == "" {
			fixed = "no fix"
		}
		mark := ""
		if f.level == "called" && f.fixed != "" {
			mark = "  <- CALLED, FIX AVAILABLE"
			fail++
		}
		fmt.Fprintf(w, "%s %-8s %s@%s (fixed: %s)%s\n    %s\n", f.id, f.level, f.module, f.found, fixed, mark, f.summary)
		if f.trace != "" {
			fmt.Fprintf(w, "    trace: %s\n", f.trace)
		}
	}
	count := map[string]int{}
	for _, f := range fs {
		count[f.level]++
	}
	fmt.Fprintf(w, "vulnerabilities: %d called (%d with a fix), %d in imported packages only, %d in required modules only\n",
		count["called"], fail, count["imported"], count["required"])
	return fail
}
