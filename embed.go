// Package suara holds the files the binary carries with it: migrations,
// default configuration, tenant manifests and themes. Embedding them here,
// at the module root, lets one static binary run anywhere.
package suara

import "embed"

// MigrationsFS holds the SQL migrations in order.
//
//go:embed migrations/*.sql
var MigrationsFS embed.FS

// ConfigFS holds the default configuration, the Casbin model and policy, and
// the holiday calendars.
//
//go:embed config
var ConfigFS embed.FS

// TenantsFS holds the tenant manifests and sector templates.
//
//go:embed tenants
var TenantsFS embed.FS

// ThemesFS holds one folder per theme.
//
//go:embed themes
var ThemesFS embed.FS
