stand-in for infra/modules/rds/main.tf
