import * as subnets from '../../../app/subnets.js'
import { command, query } from '../action.js'
import { bool, booleanValue, oneOf, required, string, tagSpecifications } from '../params.js'
import {
  defined,
  describeParams,
  describeRequest,
  subnetIpv6AssociationShape,
  subnetShape,
} from '../shapes.js'

const pageRange = { min: 5, max: 1000 }

export const subnetActions = {
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
    const page = await subnets.describeSubnets(ctx, describeRequest(input.SubnetId, input, ctx))
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
