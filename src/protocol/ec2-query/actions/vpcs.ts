import * as vpcs from '../../../app/vpcs.js'
import { command, query } from '../action.js'
import { bool, booleanValue, oneOf, required, string, tagSpecifications } from '../params.js'
import {
  cidrAssociationShape,
  defined,
  describeParams,
  describeRequest,
  ipv6AssociationShape,
  vpcShape,
} from '../shapes.js'

const pageRange = { min: 5, max: 1000 }

const vpcAttribute = oneOf(['enableDnsSupport', 'enableDnsHostnames', 'enableNetworkAddressUsageMetrics'])

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
    const page = await vpcs.describeVpcs(ctx, describeRequest(input.VpcId, input, ctx))
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
}
