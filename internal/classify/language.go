package classify

import (
	"strings"
	"unicode"
)

// Marker words that are frequent in one language and rare in Indonesian.
// Words shared with Indonesian (aku, sing as in "singkat") are left out.
var (
	javaneseMarkers = setOf("ora", "opo", "piye", "wis", "wes", "durung", "ning", "neng", "karo", "iki", "kuwi", "iku",
		"ngopo", "kabeh", "mergo", "jarene", "dikon", "bengi", "sasi", "nek", "ono", "ana", "dina", "isih", "kudu", "iso",
		"mboten", "sampun", "nggih", "kulo", "panjenengan", "meteng", "mulih", "tekan", "nganti", "metu", "seka", "soko",
		"wingi", "saiki", "reged", "mambu", "kanca", "liyane", "nang", "kaping", "telu", "mung", "pengin", "teken",
		"wong", "kerjo", "gaweyan", "bayaran", "lan", "ben", "sing", "tau", "dinggo", "oleh", "kok", "po", "ra")
	englishMarkers = setOf("the", "and", "is", "are", "we", "our", "my", "i", "not", "was", "were", "they", "it", "to",
		"of", "for", "with", "but", "has", "have", "because", "every", "after", "work", "company", "pay", "no", "they",
		"us", "me", "this", "that", "from", "at", "on", "be", "been", "will", "would", "only", "even", "although")
)

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// detectLanguage guesses the main language of a text: "en", "jv" or "id".
// It is a best effort over marker words; mixed texts go to the language
// whose markers dominate, Indonesian by default.
func detectLanguage(text string) string {
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) })
	if len(words) == 0 {
		return "id"
	}
	var en, jv int
	for _, w := range words {
		if englishMarkers[w] {
			en++
		}
		if javaneseMarkers[w] {
			jv++
		}
	}
	n := float64(len(words))
	switch {
	case float64(en)/n >= 0.2 && en >= 2:
		return "en"
	case float64(jv)/n >= 0.12 && jv >= 2:
		return "jv"
	}
	return "id"
}
