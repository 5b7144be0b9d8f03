# Two accounts: the requester asks with peer_owner_id, the accepter accepts, and each side sets
# its own options and tags its own view differently.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" { type = string }

provider "aws" {
  alias                       = "requester"
  region                      = "us-east-1"
  access_key                  = "111111111111"
  secret_key                  = "vpcpeer"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    ec2 = var.endpoint
    sts = var.endpoint
    iam = var.endpoint
  }
}

provider "aws" {
  alias                       = "accepter"
  region                      = "us-east-1"
  access_key                  = "222222222222"
  secret_key                  = "vpcpeer"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    ec2 = var.endpoint
    sts = var.endpoint
    iam = var.endpoint
  }
}

data "aws_caller_identity" "accepter" {
  provider = aws.accepter
}

resource "aws_vpc" "requester" {
  provider             = aws.requester
  cidr_block           = "10.30.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = "requester" }
}

resource "aws_vpc" "accepter" {
  provider             = aws.accepter
  cidr_block           = "10.40.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = "accepter" }
}

resource "aws_vpc_peering_connection" "request" {
  provider      = aws.requester
  vpc_id        = aws_vpc.requester.id
  peer_vpc_id   = aws_vpc.accepter.id
  peer_owner_id = data.aws_caller_identity.accepter.account_id
  auto_accept   = false
  tags          = { Side = "Requester", Name = "to-accepter" }
}

resource "aws_vpc_peering_connection_accepter" "accept" {
  provider                  = aws.accepter
  vpc_peering_connection_id = aws_vpc_peering_connection.request.id
  auto_accept               = true
  tags                      = { Side = "Accepter", Name = "from-requester" }
}

resource "aws_vpc_peering_connection_options" "requester" {
  provider                  = aws.requester
  vpc_peering_connection_id = aws_vpc_peering_connection_accepter.accept.id
  requester {
    allow_remote_vpc_dns_resolution = true
  }
}

resource "aws_vpc_peering_connection_options" "accepter" {
  provider                  = aws.accepter
  vpc_peering_connection_id = aws_vpc_peering_connection_accepter.accept.id
  accepter {
    allow_remote_vpc_dns_resolution = true
  }
}

output "peering_id" { value = aws_vpc_peering_connection.request.id }
