// Package analysis turns metric series into summaries, workload patterns and a
// single-node verdict for a 2-node PostgreSQL cluster.
//
// It is pure Go: it imports only the standard library and knows nothing about
// AWS, PostgreSQL or Terraform. Callers (the CloudWatch and pg_stat adapters)
// convert their data into the types of this package.
package analysis
