# Two regions, one account: requested in us-east-1 with peer_region, accepted in eu-west-1.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}

variable "endpoint" { type = string }

provider "aws" {
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
  alias                       = "peer"
  region                      = "eu-west-1"
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

resource "aws_vpc" "east" {
  cidr_block = "10.50.0.0/16"
  tags       = { Name = "east" }
}

resource "aws_vpc" "west" {
  provider   = aws.peer
  cidr_block = "10.60.0.0/16"
  tags       = { Name = "west" }
}

resource "aws_vpc_peering_connection" "east_west" {
  vpc_id      = aws_vpc.east.id
  peer_vpc_id = aws_vpc.west.id
  peer_region = "eu-west-1"
  auto_accept = false
  tags        = { Name = "east-to-west" }
}

resource "aws_vpc_peering_connection_accepter" "west" {
  provider                  = aws.peer
  vpc_peering_connection_id = aws_vpc_peering_connection.east_west.id
  auto_accept               = true
  tags                      = { Name = "west-from-east" }
}

resource "aws_route" "east_to_west" {
  route_table_id            = aws_vpc.east.main_route_table_id
  destination_cidr_block    = aws_vpc.west.cidr_block
  vpc_peering_connection_id = aws_vpc_peering_connection.east_west.id
}

resource "aws_route" "west_to_east" {
  provider                  = aws.peer
  route_table_id            = aws_vpc.west.main_route_table_id
  destination_cidr_block    = aws_vpc.east.cidr_block
  vpc_peering_connection_id = aws_vpc_peering_connection_accepter.west.id
}

output "peering_id" { value = aws_vpc_peering_connection.east_west.id }
