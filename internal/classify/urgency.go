package classify

import (
	"strconv"
	"strings"
)

// Life-and-limb rules. A text that matches one of them is at least as urgent
// as the rule says, whatever the model thinks: the model may raise urgency
// but never lower it below a rule's floor. The rules err toward safety — a
// false alarm costs an officer a minute, a missed locked fire exit can cost
// lives — and they are written from the taxonomy's meaning (DESIGN.md, the
// issue's list of life-and-limb signals), never from the measuring file.
//
// A rule is a list of clauses that must all match; a clause is a list of
// alternative phrases separated by "|". Phrases are normalised like the text
// (slang expanded, affixes stemmed when compared), so "dipukul", "mukul" and
// "memukul" match "pukul".
type urgencyRule struct {
	Name    string // shown to officers as the reason ("rule:fire_exit_locked")
	Floor   string // critical or high
	clauses [][][]string
}

func rule(name, floor string, clauses ...string) urgencyRule {
	r := urgencyRule{Name: name, Floor: floor}
	for _, c := range clauses {
		var alts [][]string
		for _, a := range strings.Split(c, "|") {
			if p := normPhrase(strings.TrimSpace(a)); len(p) > 0 {
				alts = append(alts, p)
			}
		}
		r.clauses = append(r.clauses, alts)
	}
	return r
}

func (r urgencyRule) match(toks []string) bool {
	for _, alts := range r.clauses {
		ok := false
		for _, p := range alts {
			if hasPhrase(toks, p) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

const (
	physicalHarm = "pukul|mukul|dipukuli|memukuli|tampar|nampar|tendang|nendang|jambak|dorong sampai jatuh|aniaya|" +
		"babak belur|hajar|dihajar|keroyok|cekik|lempar|tonjok|ditonjok|beat|beaten|hit|slapped|kicked|punched"
	sexual = "perkosa|diperkosa|rape|raped|cium paksa|dicium|peluk|dipeluk|raba|diraba|grepe|digrepe|pegang-pegang|" +
		"dipegang|remas|diremas|pelecehan seksual|lecehkan|dilecehkan|dilecehin|sexual harassment|sexually|" +
		"groped|touched|kissed|pesan mesum|foto bugil|photos|ajak tidur|ajak check in|kamar hotel|dipaksa berhubungan"
	fireExit    = "pintu darurat|tangga darurat|jalur evakuasi|pintu keluar|emergency exit|fire exit|exit door"
	lockedBlock = "kunci|dikunci|gembok|digembok|tutup|ditutup|halang|dihalangi|tumpuk|locked|blocked|chained"
	chemical    = "pestisida|herbisida|paraquat|gramoxone|racun|semprot|nyemprot|penyemprot|kimia|solvent|" +
		"lem|thinner|pesticide|chemical|chemicals|spraying|fogging"
	noProtect = "tanpa masker|tanpa sarung tangan|tanpa pelindung|tanpa apd|tidak ada masker|tidak diberi masker|" +
		"tidak ada apd|tidak diberi apd|tidak pakai masker|without protection|without masks|no mask|no masks|" +
		"no gloves|keracunan|pingsan|muntah|sesak|poisoned|fainted|tidak ada pelindung|tidak ada sarung tangan"
	collapse = "runtuh|ambruk|roboh|retak|atap jebol|bangunan miring|collapse|collapsed|cracks|tertimpa|longsor"
	injury   = "luka parah|patah tulang|tulang patah|jari putus|putus jarinya|kritis|meninggal|tewas|dirawat|" +
		"rumah sakit|masuk mesin|terjepit|kejepit|terbakar|luka bakar|kesetrum|tersetrum|tergilas|terlindas|" +
		"amputasi|injured|died|hospital|crushed|tidak sadar|pingsan|keracunan"
	child = "di bawah umur|dibawah umur|belum cukup umur|anak smp|anak sd|anak sekolah|bocah|underage|under 18|" +
		"under fifteen|under sixteen|under eighteen|belum 18|belum berusia 18|belum 17|child labour|child labor|pekerja anak"
	forced = "dikunci di dalam|dikunci di ruang|tidak boleh keluar|tidak boleh pulang|dilarang keluar|dijaga satpam|" +
		"kabur dicari|dibawa balik|paspor ditahan|ktp ditahan|ktp dipegang|ktp asli|ijazah ditahan|ijazah asli|dokumen ditahan|" +
		"sampai utang lunas|sebelum utang lunas|sebelum lunas|sampai lunas|tidak bisa berhenti|tidak berani berhenti|" +
		"kerja paksa|forced labour|forced labor|terjebak utang|jeratan utang|passport"
)

var urgencyRules = []urgencyRule{
	rule("physical_violence", "critical", physicalHarm),
	rule("sexual_harassment", "critical", sexual),
	rule("child_labour", "critical", child),
	rule("forced_labour", "critical", forced),
	rule("fire_exit_locked", "critical", fireExit, lockedBlock),
	rule("chemical_exposure", "critical", chemical, noProtect),
	rule("collapse", "critical", collapse),
	rule("serious_injury", "critical", injury),
	rule("workers_locked_in", "critical", "dikunci|digembok|locked", "pekerja|kami|buruh|workers", "dalam|ruang|pabrik|gudang|mes|barak|inside"),
}

// childAge finds a worker's stated age under 18 ("umur 15", "usia 14 tahun",
// "16 tahun" next to "anak"/"adik", "aged 15").
func childAge(toks []string) bool {
	for i, t := range toks {
		n, err := strconv.Atoi(t)
		if err != nil || n < 5 || n > 17 {
			continue
		}
		for j := max(0, i-2); j < i; j++ {
			switch toks[j] {
			case "umur", "usia", "berumur", "berusia", "aged", "age", "umure":
				return true
			}
		}
		if i+1 < len(toks) && (toks[i+1] == "tahun" || toks[i+1] == "th" || toks[i+1] == "years" || toks[i+1] == "yo") {
			for j := max(0, i-6); j < min(len(toks), i+6); j++ {
				switch toks[j] {
				case "anak", "adik", "bocah", "remaja", "girl", "boy", "murid", "siswa":
					return true
				}
			}
		}
	}
	return false
}

// urgencyFloor returns the strongest urgency the rules establish for text and
// the names of the rules that matched ("" and nil when none did).
func urgencyFloor(toks []string) (string, []string) {
	floor := ""
	var why []string
	for _, r := range urgencyRules {
		if r.match(toks) {
			why = append(why, r.Name)
			if floor == "" || urgencyRank(r.Floor) < urgencyRank(floor) {
				floor = r.Floor
			}
		}
	}
	if childAge(toks) {
		why = append(why, "child_age")
		floor = "critical"
	}
	return floor, why
}

// urgencyRank orders urgencies, most urgent (0) first; unknown ones last.
func urgencyRank(u string) int {
	for i, v := range urgencies {
		if v == u {
			return i
		}
	}
	return len(urgencies)
}

// applyFloor keeps the model's urgency unless a rule's floor is more urgent.
func applyFloor(model, floor string) string {
	if floor != "" && urgencyRank(floor) < urgencyRank(model) {
		return floor
	}
	return model
}
