package classify

// DefaultCategories returns the default taxonomy of DESIGN.md. Tenants load
// their own (renamed, nested, hidden) categories from the database; this set
// is the fallback and the one evaluation runs against.
func DefaultCategories() []Category {
	return []Category{
		{
			Slug: "upah", NameID: "Upah & tunjangan", NameEN: "Wages & allowances",
			DescriptionID: "Upah di bawah UMK, upah terlambat, potongan gaji, THR, premi, slip gaji, upah borongan.",
			DescriptionEN: "Pay below the minimum wage, late pay, deductions, religious holiday bonus (THR), premiums, payslips, piece rates.",
			Keywords:      []string{"upah", "gaji", "umk", "ump", "thr", "premi", "slip gaji", "potongan gaji", "dipotong", "bayaran", "gajian", "telat gajian", "tunjangan", "borongan", "upah minimum", "di bawah umk", "dicicil", "insentif", "bonus", "uang makan", "transfer gaji", "wage", "salary"},
		},
		{
			Slug: "jam_kerja", NameID: "Jam kerja & lembur", NameEN: "Working time & overtime",
			DescriptionID: "Jam kerja berlebih, lembur paksa atau tidak dibayar, target produksi, hari libur, shift malam, istirahat.",
			DescriptionEN: "Excessive hours, forced or unpaid overtime, production targets, rest days, night shifts, breaks.",
			Keywords:      []string{"lembur", "jam kerja", "overtime", "target", "target produksi", "shift", "shift malam", "hari minggu", "hari libur", "istirahat", "pulang malam", "jam istirahat", "scan pulang", "absen pulang", "jam masuk", "12 jam", "tidak dibayar lembur", "lembur paksa"},
		},
		{
			Slug: "status_kerja", NameID: "Status kerja & kontrak", NameEN: "Employment status & contracts",
			DescriptionID: "PKWT berulang, kontrak tanpa salinan, outsourcing, buruh harian lepas, masa percobaan, pengangkatan menjadi tetap.",
			DescriptionEN: "Repeated fixed-term contracts, no contract copy, outsourcing, casual daily labour, probation, conversion to permanent.",
			Keywords:      []string{"kontrak", "pkwt", "pkwtt", "karyawan tetap", "diangkat", "pengangkatan", "outsourcing", "alih daya", "yayasan", "harian lepas", "bhl", "masa percobaan", "perpanjang kontrak", "status kerja", "magang", "kontrak habis", "salinan kontrak", "contract"},
		},
		{
			Slug: "phk", NameID: "PHK & pesangon", NameEN: "Dismissal & severance",
			DescriptionID: "PHK sepihak, pesangon tidak dibayar, PHK massal, pabrik tutup atau relokasi, dipaksa mengundurkan diri.",
			DescriptionEN: "Unilateral dismissal, unpaid severance, mass layoffs, plant closure or relocation, forced resignation.",
			Keywords:      []string{"phk", "pecat", "dipecat", "diberhentikan", "pesangon", "pabrik tutup", "relokasi", "dirumahkan", "resign", "mengundurkan diri", "pemutusan hubungan kerja", "uang pisah", "efisiensi", "pengurangan karyawan", "di phk", "layoff", "fired"},
		},
		{
			Slug: "k3", NameID: "Keselamatan & kesehatan kerja", NameEN: "Occupational safety & health",
			DescriptionID: "Kecelakaan kerja, APD, pestisida, bahan kimia, debu, panas, mesin tanpa pengaman, jalur evakuasi, pingsan.",
			DescriptionEN: "Work accidents, protective equipment, pesticides, chemicals, dust, heat, unguarded machines, fire exits, fainting.",
			Keywords:      []string{"k3", "apd", "masker", "sarung tangan", "kecelakaan", "kecelakaan kerja", "pestisida", "semprot", "herbisida", "bahan kimia", "lem", "debu", "panas", "pingsan", "jalur evakuasi", "pintu darurat", "kebakaran", "apar", "mesin", "jari", "luka", "sesak", "ventilasi", "safety", "helm", "sepatu boot"},
		},
		{
			Slug: "jaminan_sosial", NameID: "Jaminan sosial (BPJS)", NameEN: "Social security (BPJS)",
			DescriptionID: "BPJS Kesehatan dan Ketenagakerjaan tidak didaftarkan, iuran dipotong tapi tidak disetor, JHT, JKK, JKM, kartu tidak aktif.",
			DescriptionEN: "Workers not enrolled in BPJS health or employment insurance, contributions deducted but not paid in, old-age savings (JHT), inactive cards.",
			Keywords:      []string{"bpjs", "bpjs kesehatan", "bpjs ketenagakerjaan", "jamsostek", "jht", "jkk", "jkm", "jaminan pensiun", "iuran", "tidak disetor", "kartu bpjs", "tidak aktif", "nonaktif", "faskes", "klaim jht", "kis", "social security"},
		},
		{
			Slug: "cuti", NameID: "Cuti & hak maternitas", NameEN: "Leave & maternity rights",
			DescriptionID: "Cuti tahunan, cuti haid, cuti melahirkan, keguguran, menyusui dan ruang laktasi, perlindungan pekerja hamil.",
			DescriptionEN: "Annual leave, menstrual leave, maternity leave, miscarriage leave, breastfeeding and lactation rooms, protection of pregnant workers.",
			Keywords:      []string{"cuti", "cuti tahunan", "cuti haid", "cuti melahirkan", "melahirkan", "hamil", "keguguran", "laktasi", "menyusui", "asi", "izin", "surat dokter", "hari cuti", "maternity", "leave"},
		},
		{
			Slug: "diskriminasi", NameID: "Diskriminasi", NameEN: "Discrimination",
			DescriptionID: "Perlakuan berbeda karena jenis kelamin, kehamilan, usia, disabilitas, agama, suku atau status; upah tidak setara.",
			DescriptionEN: "Unequal treatment because of sex, pregnancy, age, disability, religion, ethnicity or status; unequal pay.",
			Keywords:      []string{"diskriminasi", "dibedakan", "perempuan", "laki-laki", "gender", "usia", "umur", "disabilitas", "difabel", "agama", "jilbab", "suku", "tes kehamilan", "tidak adil", "pilih kasih", "upah beda", "batas usia", "discrimination"},
		},
		{
			Slug: "kekerasan", NameID: "Kekerasan & pelecehan", NameEN: "Violence & harassment",
			DescriptionID: "Pelecehan seksual, kekerasan verbal (dimaki, dibentak), kekerasan fisik, ancaman dan intimidasi oleh atasan atau rekan.",
			DescriptionEN: "Sexual harassment, verbal abuse (insults, shouting), physical violence, threats and intimidation by supervisors or co-workers.",
			Keywords:      []string{"pelecehan", "pelecehan seksual", "dilecehkan", "dipegang", "colek", "dimaki", "dibentak", "bentak", "kata kasar", "goblok", "dipukul", "ditampar", "ditendang", "dilempar", "ancam", "diancam", "mandor kasar", "chief", "supervisor", "harassment", "kekerasan"},
		},
		{
			Slug: "berserikat", NameID: "Kebebasan berserikat", NameEN: "Freedom of association",
			DescriptionID: "Menghalangi pembentukan serikat, intimidasi pengurus, mutasi atau PHK karena berserikat, PKB, perundingan, union busting.",
			DescriptionEN: "Obstructing union formation, intimidating union officers, transfers or dismissal for union activity, collective agreements, bargaining, union busting.",
			Keywords:      []string{"serikat", "serikat pekerja", "serikat buruh", "pengurus serikat", "anggota serikat", "union", "union busting", "pkb", "perundingan", "bipartit", "mogok", "demo", "mutasi", "iuran serikat", "keluar dari serikat", "federasi", "spsi", "puk"},
		},
		{
			Slug: "kerja_paksa_anak", NameID: "Pekerja anak & kerja paksa", NameEN: "Child & forced labour",
			DescriptionID: "Pekerja di bawah umur, anak membantu di kebun, ijazah atau KTP ditahan, jeratan utang, dilarang keluar, kerja paksa.",
			DescriptionEN: "Underage workers, children helping on estates, withheld diplomas or ID cards, debt bondage, not allowed to leave, forced labour.",
			Keywords:      []string{"anak", "di bawah umur", "pekerja anak", "anak sekolah", "umur 15", "ijazah ditahan", "ktp ditahan", "ditahan", "jaminan ijazah", "utang", "hutang", "kasbon", "pinjaman", "tidak boleh keluar", "dikunci", "kerja paksa", "calo", "agen", "paspor"},
		},
		{
			Slug: "fasilitas", NameID: "Fasilitas kesejahteraan", NameEN: "Welfare facilities",
			DescriptionID: "Toilet, air bersih, kantin dan makan, mes dan perumahan, transportasi, klinik, tempat ibadah, penitipan anak.",
			DescriptionEN: "Toilets, clean water, canteen and meals, dormitories and housing, transport, clinic, prayer room, childcare.",
			Keywords:      []string{"toilet", "wc", "kamar mandi", "air bersih", "air minum", "kantin", "makan siang", "mes", "barak", "rumah", "perumahan", "emplasmen", "transportasi", "truk", "bus jemputan", "klinik", "mushola", "tempat ibadah", "penitipan anak", "loker", "parkir", "listrik"},
		},
		{
			Slug: "lainnya", NameID: "Lainnya", NameEN: "Other",
			DescriptionID: "Hal lain di luar kategori: informasi, koperasi, seragam, administrasi, parkir, hubungan dengan warga, pertanyaan umum.",
			DescriptionEN: "Anything else: information requests, cooperatives, uniforms, paperwork, community relations, general questions.",
			Keywords:      []string{"koperasi", "seragam", "id card", "kartu nama", "informasi", "pertanyaan", "arisan", "lomba", "olahraga", "pelatihan", "data pribadi", "kegiatan", "sumbangan", "sosialisasi"},
		},
	}
}

// DefaultTags returns the tag vocabulary of the shared labelled data.
func DefaultTags() []string {
	return []string{
		"upah_minimum", "upah_terlambat", "pemotongan_upah", "thr", "premi", "slip_gaji",
		"lembur", "lembur_tidak_dibayar", "jam_kerja_berlebih", "target_produksi", "hari_libur", "shift_malam",
		"kontrak", "outsourcing", "bhl", "tanpa_kontrak", "masa_percobaan",
		"phk_sepihak", "pesangon", "phk_massal", "pabrik_tutup", "dipaksa_resign",
		"kecelakaan_kerja", "apd", "pestisida", "bahan_kimia", "debu", "panas", "jalur_evakuasi", "sakit",
		"bpjs_kesehatan", "bpjs_ketenagakerjaan", "iuran_tidak_disetor", "jht",
		"cuti_tahunan", "cuti_haid", "cuti_melahirkan", "keguguran", "laktasi", "hamil",
		"diskriminasi_gender", "usia", "disabilitas", "agama", "upah_tidak_setara",
		"pelecehan_seksual", "kekerasan_verbal", "kekerasan_fisik", "ancaman",
		"intimidasi_serikat", "mutasi", "pkb", "union_busting",
		"anak_di_bawah_umur", "dokumen_ditahan", "jeratan_utang", "kerja_paksa",
		"perumahan", "air_bersih", "toilet", "kantin", "transportasi", "penitipan_anak", "klinik", "tempat_ibadah",
		"lainnya",
	}
}

// defaultSteps are the recommended follow-up steps used when the tenant has
// no playbook for a category. They follow the UU 2/2004 path: document,
// negotiate bipartite, then involve the labour office.
var defaultSteps = map[string]map[string][]string{
	"id": {
		"upah":             {"Kumpulkan slip gaji, catatan absensi dan bukti transfer", "Bandingkan dengan UMK dan PKB yang berlaku", "Ajukan perundingan bipartit dengan manajemen", "Jika gagal dalam 30 hari kerja, catatkan ke Disnaker"},
		"jam_kerja":        {"Catat jam masuk, pulang dan lembur setiap hari", "Kumpulkan bukti perintah lembur (pesan, jadwal)", "Ajukan perundingan bipartit soal lembur dan upahnya", "Laporkan ke pengawas ketenagakerjaan bila berlanjut"},
		"status_kerja":     {"Minta salinan semua kontrak kerja", "Periksa masa dan jumlah perpanjangan PKWT", "Ajukan permintaan pengangkatan lewat bipartit", "Konsultasikan ke Disnaker untuk nota pemeriksaan"},
		"phk":              {"Jangan menandatangani surat pengunduran diri atau PHK", "Simpan surat PHK dan bukti masa kerja", "Tuntut perundingan bipartit soal alasan dan pesangon", "Catatkan perselisihan ke Disnaker untuk mediasi"},
		"k3":               {"Pastikan pekerja yang terluka atau sakit mendapat perawatan", "Dokumentasikan kondisi berbahaya dengan foto", "Laporkan ke P2K3 dan manajemen secara tertulis", "Laporkan ke pengawas ketenagakerjaan bila tidak diperbaiki"},
		"jaminan_sosial":   {"Cek status kepesertaan di aplikasi JMO atau Mobile JKN", "Kumpulkan slip gaji yang menunjukkan potongan iuran", "Minta perusahaan mendaftarkan dan menyetor iuran", "Laporkan ke BPJS dan Disnaker bila tidak ditindaklanjuti"},
		"cuti":             {"Kumpulkan surat dokter dan bukti permohonan cuti", "Rujuk hak cuti dalam UU dan PKB", "Ajukan keberatan tertulis ke HRD", "Bawa ke perundingan bipartit bila ditolak"},
		"diskriminasi":     {"Catat kejadian, tanggal dan saksi", "Kumpulkan bukti perlakuan berbeda", "Sampaikan keberatan tertulis ke manajemen", "Rujuk ke Disnaker atau Komnas HAM bila berlanjut"},
		"kekerasan":        {"Pastikan keamanan pelapor dan jaga kerahasiaan identitas", "Catat kejadian, waktu, saksi dan bukti", "Laporkan ke satgas pencegahan kekerasan perusahaan", "Dampingi pelapor ke polisi atau layanan korban bila perlu"},
		"berserikat":       {"Dokumentasikan intimidasi, mutasi atau ancaman", "Kirim surat keberatan dari pengurus serikat", "Laporkan ke Disnaker dan federasi", "Pertimbangkan laporan pidana (UU 21/2000 pasal 28)"},
		"kerja_paksa_anak": {"Pastikan keselamatan pekerja anak atau korban segera", "Minta dokumen yang ditahan dikembalikan", "Laporkan ke pengawas ketenagakerjaan", "Rujuk ke brand atau lembaga perlindungan anak bila perlu"},
		"fasilitas":        {"Dokumentasikan kondisi fasilitas dengan foto", "Kumpulkan usulan perbaikan dari pekerja", "Sampaikan lewat LKS bipartit atau perundingan PKB", "Pantau perbaikan dan tenggat waktunya"},
		"lainnya":          {"Hubungi pelapor untuk memperjelas masalah", "Tentukan kategori yang tepat", "Teruskan ke pengurus yang berwenang"},
	},
	"en": {
		"upah":             {"Collect payslips, attendance records and transfer receipts", "Compare with the regional minimum wage and the collective agreement", "Request bipartite negotiation with management", "If it fails within 30 working days, register the dispute with the labour office"},
		"jam_kerja":        {"Record start, end and overtime hours every day", "Collect evidence of overtime orders (messages, schedules)", "Request bipartite negotiation on overtime and its pay", "Report to the labour inspectorate if it continues"},
		"status_kerja":     {"Request copies of all employment contracts", "Check the length and number of fixed-term renewals", "Request conversion to permanent status through bipartite talks", "Consult the labour office for an inspection note"},
		"phk":              {"Do not sign any resignation or dismissal letter", "Keep the dismissal letter and proof of service length", "Demand bipartite negotiation on the reason and severance", "Register the dispute with the labour office for mediation"},
		"k3":               {"Make sure injured or sick workers get treatment", "Document hazardous conditions with photos", "Report in writing to the safety committee and management", "Report to the labour inspectorate if not fixed"},
		"jaminan_sosial":   {"Check enrolment in the JMO or Mobile JKN app", "Collect payslips showing contribution deductions", "Ask the company to enrol workers and pay contributions", "Report to BPJS and the labour office if nothing happens"},
		"cuti":             {"Collect the doctor's letter and the leave request", "Refer to leave rights in the law and the collective agreement", "Object in writing to HR", "Take it to bipartite negotiation if refused"},
		"diskriminasi":     {"Record incidents, dates and witnesses", "Collect evidence of unequal treatment", "Object in writing to management", "Refer to the labour office or the human rights commission if it continues"},
		"kekerasan":        {"Make sure the reporter is safe and keep their identity confidential", "Record the incident, time, witnesses and evidence", "Report to the company's anti-violence task force", "Accompany the reporter to the police or victim services if needed"},
		"berserikat":       {"Document intimidation, transfers or threats", "Send a letter of objection from the union officers", "Report to the labour office and the federation", "Consider a criminal report (Law 21/2000 art. 28)"},
		"kerja_paksa_anak": {"Ensure the safety of the child or victim immediately", "Demand the return of withheld documents", "Report to the labour inspectorate", "Refer to the brand or a child protection agency if needed"},
		"fasilitas":        {"Document the facilities with photos", "Collect workers' proposals for improvement", "Raise it in the bipartite forum or collective bargaining", "Monitor repairs and their deadlines"},
		"lainnya":          {"Contact the reporter to clarify the issue", "Decide the right category", "Forward to the responsible officers"},
	},
}
