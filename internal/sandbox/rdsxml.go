package sandbox

// XML shapes of the RDS query-protocol responses, named after the members of
// the service model (service/rds@v1.133.0 schemas): the SDK matches elements
// by member name and ignores the names of wrapped list items.

type xEndpoint struct {
	Address      string `xml:"Address,omitempty"`
	Port         int32  `xml:"Port"`
	HostedZoneId string `xml:"HostedZoneId,omitempty"`
}

type xTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xParamGroupStatus struct {
	DBParameterGroupName string `xml:"DBParameterGroupName"`
	ParameterApplyStatus string `xml:"ParameterApplyStatus"`
}

type xPending struct {
	DBInstanceClass       string `xml:"DBInstanceClass,omitempty"`
	MultiAZ               *bool  `xml:"MultiAZ,omitempty"`
	AllocatedStorage      *int32 `xml:"AllocatedStorage,omitempty"`
	BackupRetentionPeriod *int32 `xml:"BackupRetentionPeriod,omitempty"`
	DBInstanceIdentifier  string `xml:"DBInstanceIdentifier,omitempty"`
}

type xVpcSG struct {
	VpcSecurityGroupId string `xml:"VpcSecurityGroupId"`
	Status             string `xml:"Status"`
}

type xDBInstance struct {
	DBInstanceIdentifier             string              `xml:"DBInstanceIdentifier"`
	DBInstanceClass                  string              `xml:"DBInstanceClass"`
	Engine                           string              `xml:"Engine"`
	DBInstanceStatus                 string              `xml:"DBInstanceStatus"`
	MasterUsername                   string              `xml:"MasterUsername,omitempty"`
	DBName                           string              `xml:"DBName,omitempty"`
	Endpoint                         *xEndpoint          `xml:"Endpoint,omitempty"`
	AllocatedStorage                 int32               `xml:"AllocatedStorage"`
	MaxAllocatedStorage              *int32              `xml:"MaxAllocatedStorage,omitempty"`
	InstanceCreateTime               string              `xml:"InstanceCreateTime,omitempty"`
	PreferredBackupWindow            string              `xml:"PreferredBackupWindow"`
	BackupRetentionPeriod            int32               `xml:"BackupRetentionPeriod"`
	VpcSecurityGroups                []xVpcSG            `xml:"VpcSecurityGroups>VpcSecurityGroupMembership"`
	DBParameterGroups                []xParamGroupStatus `xml:"DBParameterGroups>DBParameterGroup"`
	AvailabilityZone                 string              `xml:"AvailabilityZone,omitempty"`
	PreferredMaintenanceWindow       string              `xml:"PreferredMaintenanceWindow"`
	PendingModifiedValues            xPending            `xml:"PendingModifiedValues"`
	LatestRestorableTime             string              `xml:"LatestRestorableTime,omitempty"`
	MultiAZ                          bool                `xml:"MultiAZ"`
	EngineVersion                    string              `xml:"EngineVersion"`
	AutoMinorVersionUpgrade          bool                `xml:"AutoMinorVersionUpgrade"`
	LicenseModel                     string              `xml:"LicenseModel"`
	PubliclyAccessible               bool                `xml:"PubliclyAccessible"`
	StorageType                      string              `xml:"StorageType,omitempty"`
	Iops                             *int32              `xml:"Iops,omitempty"`
	StorageThroughput                *int32              `xml:"StorageThroughput,omitempty"`
	SecondaryAvailabilityZone        string              `xml:"SecondaryAvailabilityZone,omitempty"`
	DbInstancePort                   int32               `xml:"DbInstancePort"`
	DBClusterIdentifier              string              `xml:"DBClusterIdentifier,omitempty"`
	StorageEncrypted                 bool                `xml:"StorageEncrypted"`
	DbiResourceId                    string              `xml:"DbiResourceId"`
	CACertificateIdentifier          string              `xml:"CACertificateIdentifier"`
	PromotionTier                    *int32              `xml:"PromotionTier,omitempty"`
	DBInstanceArn                    string              `xml:"DBInstanceArn"`
	IAMDatabaseAuthenticationEnabled bool                `xml:"IAMDatabaseAuthenticationEnabled"`
	PerformanceInsightsEnabled       bool                `xml:"PerformanceInsightsEnabled"`
	MonitoringInterval               int32               `xml:"MonitoringInterval"`
	MonitoringRoleArn                string              `xml:"MonitoringRoleArn,omitempty"`
	DeletionProtection               bool                `xml:"DeletionProtection"`
	TagList                          []xTag              `xml:"TagList>Tag"`
	BackupTarget                     string              `xml:"BackupTarget"`
	NetworkType                      string              `xml:"NetworkType"`
	// ReadReplicaSourceDBInstanceIdentifier is a read replica's source; ReadReplicaDBInstanceIdentifiers
	// a source's read replicas.
	ReadReplicaSourceDBInstanceIdentifier string   `xml:"ReadReplicaSourceDBInstanceIdentifier,omitempty"`
	ReadReplicaSourceDBClusterIdentifier  string   `xml:"ReadReplicaSourceDBClusterIdentifier,omitempty"`
	ReadReplicaDBInstanceIdentifiers      []string `xml:"ReadReplicaDBInstanceIdentifiers>ReadReplicaDBInstanceIdentifier"`
	DedicatedLogVolume                    bool     `xml:"DedicatedLogVolume"`
	EngineLifecycleSupport                string   `xml:"EngineLifecycleSupport,omitempty"`
}

type xClusterMember struct {
	DBInstanceIdentifier          string `xml:"DBInstanceIdentifier"`
	IsClusterWriter               bool   `xml:"IsClusterWriter"`
	DBClusterParameterGroupStatus string `xml:"DBClusterParameterGroupStatus"`
	PromotionTier                 int32  `xml:"PromotionTier"`
}

type xServerlessV2 struct {
	MinCapacity float64 `xml:"MinCapacity"`
	MaxCapacity float64 `xml:"MaxCapacity"`
}

type xDBCluster struct {
	AllocatedStorage                 int32            `xml:"AllocatedStorage"`
	AvailabilityZones                []string         `xml:"AvailabilityZones>AvailabilityZone"`
	BackupRetentionPeriod            int32            `xml:"BackupRetentionPeriod"`
	DatabaseName                     string           `xml:"DatabaseName,omitempty"`
	DBClusterIdentifier              string           `xml:"DBClusterIdentifier"`
	DBClusterParameterGroup          string           `xml:"DBClusterParameterGroup"`
	DBSubnetGroup                    string           `xml:"DBSubnetGroup"`
	Status                           string           `xml:"Status"`
	EarliestRestorableTime           string           `xml:"EarliestRestorableTime,omitempty"`
	Endpoint                         string           `xml:"Endpoint"`
	ReaderEndpoint                   string           `xml:"ReaderEndpoint"`
	MultiAZ                          bool             `xml:"MultiAZ"`
	Engine                           string           `xml:"Engine"`
	EngineVersion                    string           `xml:"EngineVersion"`
	LatestRestorableTime             string           `xml:"LatestRestorableTime,omitempty"`
	Port                             int32            `xml:"Port"`
	MasterUsername                   string           `xml:"MasterUsername"`
	PreferredBackupWindow            string           `xml:"PreferredBackupWindow"`
	PreferredMaintenanceWindow       string           `xml:"PreferredMaintenanceWindow"`
	DBClusterMembers                 []xClusterMember `xml:"DBClusterMembers>DBClusterMember"`
	VpcSecurityGroups                []xVpcSG         `xml:"VpcSecurityGroups>VpcSecurityGroupMembership"`
	HostedZoneId                     string           `xml:"HostedZoneId"`
	StorageEncrypted                 bool             `xml:"StorageEncrypted"`
	DbClusterResourceId              string           `xml:"DbClusterResourceId"`
	DBClusterArn                     string           `xml:"DBClusterArn"`
	IAMDatabaseAuthenticationEnabled bool             `xml:"IAMDatabaseAuthenticationEnabled"`
	ClusterCreateTime                string           `xml:"ClusterCreateTime,omitempty"`
	EngineMode                       string           `xml:"EngineMode"`
	DeletionProtection               bool             `xml:"DeletionProtection"`
	HttpEndpointEnabled              bool             `xml:"HttpEndpointEnabled"`
	CopyTagsToSnapshot               bool             `xml:"CopyTagsToSnapshot"`
	CrossAccountClone                bool             `xml:"CrossAccountClone"`
	TagList                          []xTag           `xml:"TagList>Tag"`
	AutoMinorVersionUpgrade          bool             `xml:"AutoMinorVersionUpgrade"`
	ServerlessV2ScalingConfiguration *xServerlessV2   `xml:"ServerlessV2ScalingConfiguration,omitempty"`
	StorageType                      string           `xml:"StorageType,omitempty"`
	NetworkType                      string           `xml:"NetworkType"`
	DBClusterInstanceClass           string           `xml:"DBClusterInstanceClass,omitempty"` // Multi-AZ DB clusters only
	Iops                             *int32           `xml:"Iops,omitempty"`                   // Multi-AZ DB clusters only
	EngineLifecycleSupport           string           `xml:"EngineLifecycleSupport,omitempty"`
	// GlobalClusterIdentifier is the Aurora global database the cluster is a member of.
	GlobalClusterIdentifier string `xml:"GlobalClusterIdentifier,omitempty"`
}

type xDBSnapshot struct {
	DBSnapshotIdentifier       string `xml:"DBSnapshotIdentifier"`
	DBInstanceIdentifier       string `xml:"DBInstanceIdentifier"`
	SnapshotCreateTime         string `xml:"SnapshotCreateTime,omitempty"`
	Engine                     string `xml:"Engine"`
	AllocatedStorage           int32  `xml:"AllocatedStorage"`
	Status                     string `xml:"Status"`
	Port                       int32  `xml:"Port"`
	AvailabilityZone           string `xml:"AvailabilityZone"`
	InstanceCreateTime         string `xml:"InstanceCreateTime,omitempty"`
	MasterUsername             string `xml:"MasterUsername"`
	EngineVersion              string `xml:"EngineVersion"`
	LicenseModel               string `xml:"LicenseModel"`
	SnapshotType               string `xml:"SnapshotType"`
	PercentProgress            int32  `xml:"PercentProgress"`
	StorageType                string `xml:"StorageType,omitempty"`
	Iops                       *int32 `xml:"Iops,omitempty"`
	StorageThroughput          *int32 `xml:"StorageThroughput,omitempty"`
	Encrypted                  bool   `xml:"Encrypted"`
	DBSnapshotArn              string `xml:"DBSnapshotArn"`
	DbiResourceId              string `xml:"DbiResourceId"`
	TagList                    []xTag `xml:"TagList>Tag"`
	OriginalSnapshotCreateTime string `xml:"OriginalSnapshotCreateTime,omitempty"`
	SnapshotTarget             string `xml:"SnapshotTarget"`
}

type xDBClusterSnapshot struct {
	AvailabilityZones           []string `xml:"AvailabilityZones>AvailabilityZone"`
	DBClusterSnapshotIdentifier string   `xml:"DBClusterSnapshotIdentifier"`
	DBClusterIdentifier         string   `xml:"DBClusterIdentifier"`
	SnapshotCreateTime          string   `xml:"SnapshotCreateTime,omitempty"`
	Engine                      string   `xml:"Engine"`
	EngineMode                  string   `xml:"EngineMode"`
	AllocatedStorage            int32    `xml:"AllocatedStorage"`
	Status                      string   `xml:"Status"`
	Port                        int32    `xml:"Port"`
	ClusterCreateTime           string   `xml:"ClusterCreateTime,omitempty"`
	MasterUsername              string   `xml:"MasterUsername"`
	EngineVersion               string   `xml:"EngineVersion"`
	LicenseModel                string   `xml:"LicenseModel"`
	SnapshotType                string   `xml:"SnapshotType"`
	PercentProgress             int32    `xml:"PercentProgress"`
	StorageEncrypted            bool     `xml:"StorageEncrypted"`
	DBClusterSnapshotArn        string   `xml:"DBClusterSnapshotArn"`
	TagList                     []xTag   `xml:"TagList>Tag"`
}

type xEvent struct {
	SourceIdentifier string   `xml:"SourceIdentifier"`
	SourceType       string   `xml:"SourceType"`
	Message          string   `xml:"Message"`
	EventCategories  []string `xml:"EventCategories>EventCategory"`
	Date             string   `xml:"Date"`
	SourceArn        string   `xml:"SourceArn"`
}

type xDescribeDBInstancesResult struct {
	Marker      string        `xml:"Marker,omitempty"`
	DBInstances []xDBInstance `xml:"DBInstances>DBInstance"`
}

type xDescribeDBClustersResult struct {
	Marker     string       `xml:"Marker,omitempty"`
	DBClusters []xDBCluster `xml:"DBClusters>DBCluster"`
}

type xDescribeDBSnapshotsResult struct {
	Marker      string        `xml:"Marker,omitempty"`
	DBSnapshots []xDBSnapshot `xml:"DBSnapshots>DBSnapshot"`
}

type xDescribeDBClusterSnapshotsResult struct {
	Marker             string               `xml:"Marker,omitempty"`
	DBClusterSnapshots []xDBClusterSnapshot `xml:"DBClusterSnapshots>DBClusterSnapshot"`
}

type xDescribeEventsResult struct {
	Marker string   `xml:"Marker,omitempty"`
	Events []xEvent `xml:"Events>Event"`
}

type xTagListResult struct {
	TagList []xTag `xml:"TagList>Tag"`
}

type xInstanceResult struct {
	DBInstance xDBInstance `xml:"DBInstance"`
}

type xClusterResult struct {
	DBCluster xDBCluster `xml:"DBCluster"`
}

type xSnapshotResult struct {
	DBSnapshot xDBSnapshot `xml:"DBSnapshot"`
}

type xClusterSnapshotResult struct {
	DBClusterSnapshot xDBClusterSnapshot `xml:"DBClusterSnapshot"`
}
