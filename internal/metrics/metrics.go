// Package metrics owns Suara's Prometheus collectors. It knows nothing of
// HTTP frameworks: the web layer records into it and serves its registry.
package metrics

import "github.com/prometheus/client_golang/prometheus"

// Metrics holds the registry and every collector.
type Metrics struct {
	Registry *prometheus.Registry
}

// New registers every collector on a fresh registry.
func New() *Metrics {
	return &Metrics{Registry: prometheus.NewRegistry()}
}
