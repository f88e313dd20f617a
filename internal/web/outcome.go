package web

import (
	"strconv"
	"strings"
)

// outcomeDetails says a recorded outcome in plain words: how far the case
// went, what was won, and the money, as "Rp 12.500.000 for 3 workers".
func (p *Page) outcomeDetails(m map[string]any) []detail {
	var out []detail
	if v, ok := m["ladder_stage"].(string); ok && v != "" {
		out = append(out, detail{p.T("outcome.ladder_stage"), p.T("outcome.ladder." + v)})
	}
	if list, ok := m["outcome_types"].([]any); ok && len(list) > 0 {
		words := make([]string, 0, len(list))
		for _, t := range list {
			if s, ok := t.(string); ok {
				words = append(words, p.T("outcome.type."+s))
			}
		}
		out = append(out, detail{p.T("outcome.types"), strings.Join(words, ", ")})
	}
	if money, ok := m["money_idr"].(float64); ok {
		workers, _ := m["money_workers"].(float64)
		out = append(out, detail{p.T("outcome.money_idr"),
			p.T("outcome.money_words", "Amount", rupiah(int64(money)), "N", int(workers))})
	}
	return out
}

// rupiah formats an amount as Indonesians write it: Rp 12.500.000.
func rupiah(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return "Rp " + b.String()
}
