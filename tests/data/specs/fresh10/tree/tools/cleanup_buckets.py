# stand-in for S3 bucket cleanup tool
