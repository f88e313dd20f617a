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

// blindJSONL are grievances written and labelled by eight independent
// annotators who saw neither the policy, the own texts nor the measuring
// file (docs/classifier-measurements.md, steps 84, 97 and 99): category, type
// and urgency, no tags. Each urgency is the annotator's (author_urgency)
// raised to the life-and-limb rules' floor, as critical stays with the
// rules and the list in the own texts too.
//
//go:embed data/blind.jsonl
var blindJSONL []byte

// BaseExamples returns the built-in training set: the own texts, then the
// blind annotators'.
func BaseExamples() []Example {
	return append(ownExamples(), mustRead("blind.jsonl", blindJSONL)...)
}

// ownExamples are the texts written for Suara under its written policies,
// each with one to three tags.
func ownExamples() []Example {
	var all []byte
	for _, f := range [][]byte{baseJSONL, round2JSONL, round3JSONL} {
		all = append(append(all, f...), '\n')
	}
	return mustRead("base.jsonl, round2.jsonl, round3.jsonl", all)
}

func mustRead(name string, b []byte) []Example {
	exs, err := readExamples(b)
	if err != nil {
		// The files are embedded and checked by tests; a parse failure is a
		// build defect, not a runtime condition.
		panic(fmt.Sprintf("classify: embedded %s: %v", name, err))
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
