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

// A Multi-AZ io1 instance with 3,000 provisioned IOPS in us-east-1: RDS bills its storage and its
// IOPS for both copies, so one node saves half of each.
func ExampleCatalog_ProvisionedPricePerMonth() {
	cat, err := pricing.Default()
	if err != nil {
		panic(err)
	}
	gb, _ := cat.StoragePricePerGBMonth(pricing.StorageIO1, pricing.MultiAZ, "us-east-1")
	iops, _ := cat.ProvisionedPricePerMonth(pricing.ChargeIO1IOPS, pricing.MultiAZ, "us-east-1")
	fmt.Printf("Multi-AZ: 400 GB $%.2f + 3000 IOPS $%.2f a month\n", 400*gb, 3000*iops)
	single, _ := cat.ProvisionedPricePerMonth(pricing.ChargeIO1IOPS, pricing.SingleAZ, "us-east-1")
	fmt.Printf("Single-AZ IOPS: $%.2f a month\n", 3000*single)
	// Output:
	// Multi-AZ: 400 GB $100.00 + 3000 IOPS $600.00 a month
	// Single-AZ IOPS: $300.00 a month
}
