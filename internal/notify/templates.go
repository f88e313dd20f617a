package notify

import "strings"

// defaultTemplates are the wording every tenant starts with. They name the
// case by its reference only: never its text, category, workplace or
// employer, which a lock screen would show to whoever holds the phone.
var defaultTemplates = map[string]map[string]string{
	"id": {
		tmplReporterUpdate: "Ada kabar baru tentang laporan Anda {reference}. Buka {link}",
		tmplHandlerUpdate:  "Ada pembaruan pada kasus {reference}. Buka {link}",
		tmplAssigned:       "Kasus {reference} ditugaskan kepada Anda. Buka {link}",
		tmplDeadline:       "Ada kasus yang mendekati atau melewati tenggat waktu. Buka {link}",
		tmplEscalation:     "Kasus {reference} dieskalasi ke cabang Anda. Buka {link}",
		tmplCritical:       "Laporan mendesak {reference}: bahaya bagi pekerja, perlu ditangani hari ini. Buka {link}",
		tmplUrgent:         "Laporan prioritas tinggi {reference}: perlu ditangani hari ini. Buka {link}",
		tmplSubject:        "{app}: kabar baru {reference}",
		// Account notices in the in-app inbox (account.go).
		"account_register_taken": "Seseorang mencoba mendaftar dengan nomor HP Anda. Bila itu Anda dan lupa kata sandi, buka {link}.",
		"account_staff_reset":    "Petugas serikat memulai pengaturan ulang kata sandi Anda. Bila bukan atas permintaan Anda, hubungi serikat Anda.",
		"account_password_reset": "Kata sandi Anda baru saja diganti. Bila bukan Anda, hubungi serikat Anda segera.",
	},
	"en": {
		tmplReporterUpdate:       "There is an update on your report {reference}. Open {link}",
		tmplHandlerUpdate:        "There is an update on case {reference}. Open {link}",
		tmplAssigned:             "Case {reference} has been assigned to you. Open {link}",
		tmplDeadline:             "Some cases are close to or past their deadline. Open {link}",
		tmplEscalation:           "Case {reference} has been escalated to your branch. Open {link}",
		tmplCritical:             "Urgent report {reference}: workers in danger, to be handled today. Open {link}",
		tmplUrgent:               "High-priority report {reference}: to be handled today. Open {link}",
		tmplSubject:              "{app}: update on {reference}",
		"account_register_taken": "Someone tried to sign up with your phone number. If it was you and you forgot your password, open {link}.",
		"account_staff_reset":    "A union officer started a reset of your password. If you did not ask for it, contact your union.",
		"account_password_reset": "Your password was just changed. If it was not you, contact your union at once.",
	},
}

// text returns the tenant's wording of a template in locale, else the
// default.
func (st *Settings) text(locale, name string) string {
	if locale != "en" {
		locale = "id"
	}
	if t := st.Templates[locale][name]; t != "" {
		return t
	}
	return defaultTemplates[locale][name]
}

// render fills a template. Only the reference, the link and the app name
// are available: the case's own words cannot get into a message.
func render(tmpl, reference, link, app string) string {
	return strings.NewReplacer("{reference}", reference, "{link}", link, "{app}", app).Replace(tmpl)
}
