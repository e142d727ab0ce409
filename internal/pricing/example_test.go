package pricing_test

import (
	"fmt"

	"github.com/dbrightsize/terraform-provider-rightsize/internal/pricing"
)

func ExampleCatalog_Price() {
	cat, err := pricing.Default()
	if err != nil {
		panic(err)
	}
	p, err := cat.Price("db.t3.large", pricing.EngineRDSPostgres, pricing.SingleAZ, "us-east-1")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s %s: $%.3f/h, $%.2f/month (%s, %s)\n", p.Class, p.Region, p.HourlyUSD, p.MonthlyUSD, p.Source, p.SourceDate)
	_, err = cat.Class("db.x1.large")
	fmt.Println(err)
	// Output:
	// db.t3.large us-east-1: $0.145/h, $105.85/month (catalog, 2024-08-09)
	// instance class "db.x1.large" is not in the catalog; supported families: db.t3, db.t4g, db.m5, db.m6g, db.m6i, db.m7g, db.r5, db.r6g, db.r6i, db.r7g (sizes as listed by AWS in 2023-06). Describe a class the catalog lacks in the provider configuration's instance_classes (its vCPUs, memory and, for savings, its prices)
}
