package classify

import (
	"sort"
	"strings"
)

// maxReasonTerms bounds the terms named as the reason for a category.
const maxReasonTerms = 4

// categoryTerms names the words of the text that pushed the model most
// towards category cat: the word features (unigrams, bigrams, stems) with
// the largest positive weight × value for that class. Character n-grams are
// left out because no officer can read "c:<lem" as a reason.
func (b *Builtin) categoryTerms(x sparse, cat string) []string {
	k := -1
	for i, c := range b.cat.Classes {
		if c == cat {
			k = i
		}
	}
	if k < 0 {
		return nil
	}
	row := b.cat.W[k*b.cat.Dim : (k+1)*b.cat.Dim]
	type contrib struct {
		term string
		v    float64
	}
	var cs []contrib
	for _, e := range b.vec.wordOnly(x) {
		v := float64(row[e.I]) * float64(e.V)
		if v <= 0 {
			continue
		}
		f := b.vec.names[e.I]
		var term string
		switch {
		case strings.HasPrefix(f, "w:"):
			if term = f[2:]; IsStopword(term) {
				continue // "itu" or "kemarin" is no reason an officer can use
			}
		case strings.HasPrefix(f, "b:"):
			term = strings.ReplaceAll(f[2:], "_", " ")
		default:
			continue // stems repeat a word already counted
		}
		cs = append(cs, contrib{term, v})
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].v != cs[j].v {
			return cs[i].v > cs[j].v
		}
		return cs[i].term < cs[j].term
	})
	var out []string
	for _, c := range cs {
		if len(out) == maxReasonTerms {
			break
		}
		dup := false
		for _, o := range out {
			if strings.Contains(o, c.term) || strings.Contains(c.term, o) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, c.term)
		}
	}
	return out
}

// stopwords are frequent Indonesian and English words that say nothing
// about the problem: left out of the similar-case hint's word sets and of
// the words named as a suggestion's reason.
var stopwords = map[string]bool{
	"yang": true, "dan": true, "di": true, "ke": true, "dari": true, "ini": true, "itu": true, "kami": true,
	"saya": true, "kita": true, "tidak": true, "ada": true, "untuk": true, "dengan": true, "pada": true,
	"sudah": true, "belum": true, "juga": true, "akan": true, "karena": true, "oleh": true, "atau": true,
	"boleh": true, "kemarin": true, "besok": true, "tadi": true, "sekarang": true, "lagi": true, "masih": true, "bisa": true,
	"harus": true, "mau": true, "kalau": true, "jadi": true, "tapi": true, "saja": true, "sama": true,
	"dia": true, "mereka": true, "kamu": true, "banget": true, "sangat": true, "sering": true, "terus": true,
	"the": true, "and": true, "for": true, "not": true, "our": true, "are": true, "was": true, "with": true,
}

// IsStopword reports whether w (lower case) is one of the stopwords.
func IsStopword(w string) bool { return stopwords[w] }
