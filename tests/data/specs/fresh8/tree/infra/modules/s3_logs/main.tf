stand-in for infra/modules/s3_logs/main.tf
