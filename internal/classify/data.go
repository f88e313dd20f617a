package classify

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
)

// baseJSONL holds the project's own labelled examples. They were written for
// Suara and must never be copied from the shared measuring file (a test
// enforces this), so that evaluation stays an honest held-out measure.
//
//go:embed data/base.jsonl
var baseJSONL []byte

// round2JSONL are further own texts written for issue #25: life-and-limb
// cases told in many ways, and ordinary or low cases that merely mention
// dangerous words (docs/classifier-measurements.md, step 6).
//
//go:embed data/round2.jsonl
var round2JSONL []byte

// round3JSONL are own texts written for issue #25 after the written urgency
// policy (docs/classifier-measurements.md, "Urgency policy"): every category,
// the under-represented tags, and high against normal cases.
//
//go:embed data/round3.jsonl
var round3JSONL []byte

// BaseExamples returns the built-in training set.
func BaseExamples() []Example {
	var all []byte
	for _, f := range [][]byte{baseJSONL, round2JSONL, round3JSONL} {
		all = append(append(all, f...), '\n')
	}
	exs, err := readExamples(all)
	if err != nil {
		// The file is embedded and checked by tests; a parse failure is a
		// build defect, not a runtime condition.
		panic(fmt.Sprintf("classify: embedded base.jsonl: %v", err))
	}
	return exs
}

func readExamples(b []byte) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		t := bytes.TrimSpace(sc.Bytes())
		if len(t) == 0 {
			continue
		}
		var ex Example
		if err := json.Unmarshal(t, &ex); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read examples: %w", err)
	}
	return out, nil
}
