import { documentStoreContract } from './documentStore.contract.ts'
import { memoryStore } from './memoryStore.ts'

documentStoreContract('memory', { create: async () => memoryStore() })
