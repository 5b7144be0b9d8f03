import * as subnets from '../../../app/subnets.js'
import * as vpcs from '../../../app/vpcs.js'
import { command, query } from '../action.js'
import { bool, booleanValue, oneOf, required, string, tagSpecifications } from '../params.js'
import {
  cidrAssociationShape,
  describeParams,
  describeRequest,
  ipv6AssociationShape,
  subnetIpv6AssociationShape,
  subnetShape,
  vpcShape,
} from '../shapes.js'

const pageRange = { min: 5, max: 1000 }

const vpcAttribute = oneOf(['enableDnsSupport', 'enableDnsHostnames', 'enableNetworkAddressUsageMetrics'])

const defined = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>
  }

export const vpcActions = {
  CreateVpc: command(
    {
      CidrBlock: string(),
      AmazonProvidedIpv6CidrBlock: bool(),
      InstanceTenancy: oneOf(['default', 'dedicated', 'host']),
      TagSpecification: tagSpecifications,
    },
    async (ctx, input) => {
      const { vpc, tags } = await vpcs.createVpc(ctx, {
        ...defined({
          cidrBlock: input.CidrBlock,
          amazonProvidedIpv6CidrBlock: input.AmazonProvidedIpv6CidrBlock,
          instanceTenancy: input.InstanceTenancy,
        }),
        tagSpecifications: input.TagSpecification,
      })
      return { vpc: vpcShape(vpc, tags, 'pending') }
    },
  ),

  DeleteVpc: command({ VpcId: required(string()) }, async (ctx, input) => {
    await vpcs.deleteVpc(ctx, input.VpcId)
    return {}
  }),

  DescribeVpcs: query(describeParams('VpcId', pageRange), async (ctx, input) => {
    const page = await vpcs.describeVpcs(ctx, describeRequest(input.VpcId, input))
    return { vpcSet: page.items.map((i) => vpcShape(i.resource.body, i.tags)), nextToken: page.nextToken }
  }),

  ModifyVpcAttribute: command(
    {
      VpcId: required(string()),
      EnableDnsSupport: booleanValue,
      EnableDnsHostnames: booleanValue,
      EnableNetworkAddressUsageMetrics: booleanValue,
    },
    async (ctx, input) => {
      await vpcs.modifyVpcAttribute(
        ctx,
        input.VpcId,
        defined({
          enableDnsSupport: input.EnableDnsSupport?.Value,
          enableDnsHostnames: input.EnableDnsHostnames?.Value,
          enableNetworkAddressUsageMetrics: input.EnableNetworkAddressUsageMetrics?.Value,
        }),
      )
      return {}
    },
  ),

  DescribeVpcAttribute: query(
    { VpcId: required(string()), Attribute: required(vpcAttribute) },
    async (ctx, input) => {
      const { vpcId, attribute, value } = await vpcs.describeVpcAttribute(ctx, input.VpcId, input.Attribute)
      return { vpcId, [attribute]: { value } }
    },
  ),

  AssociateVpcCidrBlock: command(
    {
      VpcId: required(string()),
      CidrBlock: string(),
      AmazonProvidedIpv6CidrBlock: bool(),
      Ipv6CidrBlockNetworkBorderGroup: string(),
    },
    async (ctx, input) => {
      const result = await vpcs.associateVpcCidrBlock(
        ctx,
        defined({
          vpcId: input.VpcId,
          cidrBlock: input.CidrBlock,
          amazonProvidedIpv6CidrBlock: input.AmazonProvidedIpv6CidrBlock,
        }),
      )
      return {
        vpcId: result.vpcId,
        cidrBlockAssociation:
          result.cidrBlockAssociation && cidrAssociationShape(result.cidrBlockAssociation, 'associating'),
        ipv6CidrBlockAssociation:
          result.ipv6CidrBlockAssociation &&
          ipv6AssociationShape(result.ipv6CidrBlockAssociation, 'associating'),
      }
    },
  ),

  DisassociateVpcCidrBlock: command({ AssociationId: required(string()) }, async (ctx, input) => {
    const result = await vpcs.disassociateVpcCidrBlock(ctx, input.AssociationId)
    return {
      vpcId: result.vpcId,
      cidrBlockAssociation:
        result.cidrBlockAssociation && cidrAssociationShape(result.cidrBlockAssociation, 'disassociating'),
      ipv6CidrBlockAssociation:
        result.ipv6CidrBlockAssociation &&
        ipv6AssociationShape(result.ipv6CidrBlockAssociation, 'disassociating'),
    }
  }),

  CreateSubnet: command(
    {
      VpcId: required(string()),
      CidrBlock: string(),
      Ipv6CidrBlock: string(),
      Ipv6Native: bool(),
      AvailabilityZone: string(),
      AvailabilityZoneId: string(),
      TagSpecification: tagSpecifications,
    },
    async (ctx, input) => {
      const { subnet, tags } = await subnets.createSubnet(ctx, {
        ...defined({
          vpcId: input.VpcId,
          cidrBlock: input.CidrBlock,
          ipv6CidrBlock: input.Ipv6CidrBlock,
          ipv6Native: input.Ipv6Native,
          availabilityZone: input.AvailabilityZone,
          availabilityZoneId: input.AvailabilityZoneId,
        }),
        vpcId: input.VpcId,
        tagSpecifications: input.TagSpecification,
      })
      return { subnet: subnetShape(subnet, tags, 'pending') }
    },
  ),

  DeleteSubnet: command({ SubnetId: required(string()) }, async (ctx, input) => {
    await subnets.deleteSubnet(ctx, input.SubnetId)
    return {}
  }),

  DescribeSubnets: query(describeParams('SubnetId', pageRange), async (ctx, input) => {
    const page = await subnets.describeSubnets(ctx, describeRequest(input.SubnetId, input))
    return {
      subnetSet: page.items.map((i) => subnetShape(i.resource.body, i.tags)),
      nextToken: page.nextToken,
    }
  }),

  ModifySubnetAttribute: command(
    {
      SubnetId: required(string()),
      MapPublicIpOnLaunch: booleanValue,
      AssignIpv6AddressOnCreation: booleanValue,
      EnableDns64: booleanValue,
      PrivateDnsHostnameTypeOnLaunch: oneOf(['ip-name', 'resource-name']),
      EnableResourceNameDnsARecordOnLaunch: booleanValue,
      EnableResourceNameDnsAAAARecordOnLaunch: booleanValue,
    },
    async (ctx, input) => {
      await subnets.modifySubnetAttribute(
        ctx,
        input.SubnetId,
        defined({
          mapPublicIpOnLaunch: input.MapPublicIpOnLaunch?.Value,
          assignIpv6AddressOnCreation: input.AssignIpv6AddressOnCreation?.Value,
          enableDns64: input.EnableDns64?.Value,
          hostnameType: input.PrivateDnsHostnameTypeOnLaunch,
          enableResourceNameDnsARecord: input.EnableResourceNameDnsARecordOnLaunch?.Value,
          enableResourceNameDnsAAAARecord: input.EnableResourceNameDnsAAAARecordOnLaunch?.Value,
        }),
      )
      return {}
    },
  ),

  AssociateSubnetCidrBlock: command(
    { SubnetId: required(string()), Ipv6CidrBlock: required(string()) },
    async (ctx, input) => {
      const { subnetId, association } = await subnets.associateSubnetCidrBlock(
        ctx,
        input.SubnetId,
        input.Ipv6CidrBlock,
      )
      return { subnetId, ipv6CidrBlockAssociation: subnetIpv6AssociationShape(association, 'associating') }
    },
  ),

  DisassociateSubnetCidrBlock: command({ AssociationId: required(string()) }, async (ctx, input) => {
    const { subnetId, association } = await subnets.disassociateSubnetCidrBlock(ctx, input.AssociationId)
    return { subnetId, ipv6CidrBlockAssociation: subnetIpv6AssociationShape(association, 'disassociating') }
  }),
}
