import { Module } from '@nestjs/common';
import { ClientBlockListPolicy } from 'src/clients/client-block-list.policy';
import { ClientUserAgentPolicy } from 'src/clients/client-user-agent.policy';
import { LookupModule } from 'src/lookup/lookup.module';

/**
 * Client rules beyond the whitelist, as announce policies (found by the pipeline at boot, src/announce/README.md):
 * the block list and the User-Agent consistency check. The pure parts (versions, families) are here for other
 * rules to reuse; the block list's entries are stored and cached with the whitelist's (src/lookup/).
 */
@Module({
  imports: [LookupModule],
  providers: [ClientBlockListPolicy, ClientUserAgentPolicy],
})
export class ClientRulesModule {}
