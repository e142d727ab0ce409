package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// dataSourceFactories lists every data source of the provider, one line each.
var dataSourceFactories = []func() datasource.DataSource{
	NewSingleNodeRecommendationDataSource,
	NewFleetDataSource,
	NewUtilizationDataSource,
	NewRDSPriceDataSource,
	NewPostgresStatsDataSource,
}

// resourceFactories lists every managed resource of the provider, one line each.
var resourceFactories = []func() resource.Resource{
	NewDBTopologyResource,
}
