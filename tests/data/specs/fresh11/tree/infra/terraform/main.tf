# stand-in for staging VPC, subnets and RDS definitions
