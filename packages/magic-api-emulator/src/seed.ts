/**
 * The tree the emulator starts with, and how a test describes its own. Seeding writes the workspace directly, as
 * a server loads it from disk at start-up: no events, so no backups and no createBy.
 *
 * Every script of the default seed runs within the emulator's Magic-Script subset and would give the same result on
 * a real Magic-API 2.2.2 server.
 */
import { createHash } from 'node:crypto';
import { fromPlain } from './java/values.js';
import { newEntity, newGroup, type Definition, type Entity, type Group, type ResourceType } from './workspace/entities.js';
import type { ResourceService } from './workspace/resource-service.js';

export interface SeedDefinition {
  name: string;
  dataType?: Definition['dataType'];
  required?: boolean;
  defaultValue?: string;
  description?: string;
  validateType?: 'pattern' | 'expression';
  expression?: string;
  error?: string;
  value?: unknown;
}

export interface SeedFile {
  id?: string;
  name: string;
  /** Request path (api), function path, task path. */
  path?: string;
  /** api only; default GET. */
  method?: string;
  script?: string;
  description?: string;
  locked?: boolean;
  parameters?: SeedDefinition[];
  headers?: SeedDefinition[];
  paths?: SeedDefinition[];
  options?: SeedDefinition[];
  /** task only */
  cron?: string;
  enabled?: boolean;
  /** datasource only */
  url?: string;
  key?: string;
  username?: string;
  password?: string;
  driverClassName?: string;
  poolType?: string;
  createTime?: number;
  updateTime?: number;
}

export interface SeedGroup {
  id?: string;
  name: string;
  path?: string;
  groups?: SeedGroup[];
  files?: SeedFile[];
  paths?: SeedDefinition[];
  options?: SeedDefinition[];
}

export interface SeedTree {
  api?: SeedGroup[];
  function?: SeedGroup[];
  task?: SeedGroup[];
  /** Data sources live at the root of their type (group `datasource:0`). */
  datasource?: SeedFile[];
}

function definition(seed: SeedDefinition): Definition {
  return {
    name: seed.name,
    value: fromPlain(seed.value ?? null),
    description: seed.description ?? null,
    required: seed.required ?? false,
    dataType: seed.dataType ?? 'String',
    type: null,
    defaultValue: seed.defaultValue ?? null,
    validateType: seed.validateType ?? null,
    error: seed.error ?? null,
    expression: seed.expression ?? null,
    children: null,
  };
}

/** A 32-hex id (the shape of `UUID.randomUUID().toString().replace("-", "")`), stable per place in the seed. */
function seedId(prefix: string, name: string): string {
  return createHash('md5').update(`${prefix}/${name}`, 'utf8').digest('hex');
}

const BASE_TIME = Date.UTC(2024, 2, 1, 9, 30, 0);

function fileEntity(type: ResourceType, seed: SeedFile, groupId: string, groupName: string): Entity {
  const entity = newEntity(type);
  entity.id = seed.id ?? seedId(`${type}:${groupName}`, seed.name);
  entity.name = seed.name;
  entity.groupId = groupId;
  entity.createTime = seed.createTime ?? BASE_TIME;
  entity.updateTime = seed.updateTime ?? seed.createTime ?? BASE_TIME;
  entity.lock = seed.locked ? '1' : null;
  entity.script = seed.script ?? null;
  if (entity.kind === 'api') {
    entity.path = seed.path ?? null;
    entity.method = seed.method ?? 'GET';
    entity.description = seed.description ?? null;
    entity.parameters = (seed.parameters ?? []).map(definition);
    entity.headers = (seed.headers ?? []).map(definition);
    entity.paths = (seed.paths ?? []).map(definition);
    entity.options = (seed.options ?? []).map(definition);
  } else if (entity.kind === 'function') {
    entity.path = seed.path ?? null;
    entity.description = seed.description ?? null;
    entity.parameters = (seed.parameters ?? []).map(definition);
  } else if (entity.kind === 'task') {
    entity.path = seed.path ?? null;
    entity.cron = seed.cron ?? null;
    entity.enabled = seed.enabled ?? false;
    entity.description = seed.description ?? null;
  } else {
    entity.url = seed.url ?? null;
    entity.key = seed.key ?? null;
    entity.username = seed.username ?? null;
    entity.password = seed.password ?? null;
    entity.driverClassName = seed.driverClassName ?? null;
    entity.type = seed.poolType ?? null;
  }
  return entity;
}

/** Replace the workspace with `tree` (the root groups of each type are recreated first). */
export function applySeed(workspace: ResourceService, tree: SeedTree): void {
  workspace.init();
  const addGroups = (type: ResourceType, groups: SeedGroup[], parentId: string, parentName: string): void => {
    for (const seed of groups) {
      const group: Group = newGroup();
      group.id = seed.id ?? seedId(`${type}-group:${parentName}`, seed.name);
      group.name = seed.name;
      group.type = type;
      group.parentId = parentId;
      group.path = seed.path ?? null;
      group.createTime = BASE_TIME;
      group.paths = (seed.paths ?? []).map(definition);
      group.options = (seed.options ?? []).map(definition);
      workspace.putGroup(group);
      for (const file of seed.files ?? []) workspace.putFile(fileEntity(type, file, group.id, `${parentName}/${seed.name}`));
      addGroups(type, seed.groups ?? [], group.id, `${parentName}/${seed.name}`);
    }
  };
  addGroups('api', tree.api ?? [], '0', '');
  addGroups('function', tree.function ?? [], '0', '');
  addGroups('task', tree.task ?? [], '0', '');
  for (const file of tree.datasource ?? []) workspace.putFile(fileEntity('datasource', file, 'datasource:0', ''));
}

/** A small project: a few groups per type, APIs with logs and parameters, one that errors, one long enough to step through. */
export const DEFAULT_SEED: SeedTree = {
  api: [
    {
      id: 'a6f0c2d1e3b44f5a8c9d0e1f2a3b4c5d',
      name: '用户管理',
      path: 'user',
      files: [
        {
          id: '0b1c2d3e4f5a46b7c8d9e0f1a2b3c4d5',
          name: '用户列表',
          method: 'GET',
          path: 'list',
          description: '分页查询用户',
          parameters: [
            { name: 'page', dataType: 'Integer', defaultValue: '1', description: '页码' },
            { name: 'size', dataType: 'Integer', defaultValue: '10', description: '每页条数' },
          ],
          script: [
            '// 分页查询用户列表',
            'var offset = (page - 1) * size',
            'log.info("查询用户列表 page={} size={}", page, size)',
            "var users = [{id: 1, name: '张三', role: 'admin'}, {id: 2, name: '李四', role: 'user'}]",
            'log.debug("offset=" + offset)',
            'return {page: page, size: size, total: 2, list: users}',
          ].join('\n'),
        },
        {
          id: '1c2d3e4f5a6b47c8d9e0f1a2b3c4d5e6',
          name: '用户详情',
          method: 'GET',
          path: '{id}',
          description: '按编号查询用户',
          paths: [{ name: 'id', dataType: 'Integer', required: true, description: '用户编号' }],
          script: ['var userId = id', 'log.info("查询用户 " + userId)', "return {id: userId, name: '张三', email: 'zhangsan@example.com'}"].join('\n'),
        },
        {
          id: '2d3e4f5a6b7c48d9e0f1a2b3c4d5e6f7',
          name: '新增用户',
          method: 'POST',
          path: 'create',
          description: '新增一个用户（请求体 JSON）',
          script: ['var name = body.name', 'log.info("新增用户: " + name)', 'log.warn("演示环境，数据不会真正保存")', 'return {id: 3, name: name}'].join('\n'),
        },
      ],
      groups: [
        {
          id: 'b7e1d3c2f4a54e6b9d0c1f2e3a4b5c6d',
          name: '角色',
          path: 'role',
          files: [
            {
              id: '3e4f5a6b7c8d49e0f1a2b3c4d5e6f7a8',
              name: '角色列表',
              method: 'GET',
              path: 'list',
              locked: true,
              description: '已锁定：保存前需先解锁',
              script: ['log.info("查询角色列表")', "return [{code: 'admin', name: '管理员'}, {code: 'user', name: '普通用户'}]"].join('\n'),
            },
          ],
        },
      ],
    },
    {
      id: 'c8f2e4d3a5b64f7c0e1d2a3f4b5c6d7e',
      name: '订单',
      path: 'order',
      files: [
        {
          id: '4f5a6b7c8d9e40f1a2b3c4d5e6f7a8b9',
          name: '订单统计',
          method: 'GET',
          path: 'stats',
          description: '缺少 size 参数时脚本出错（除数为空）',
          parameters: [{ name: 'size', dataType: 'Integer', description: '每页条数（不传会出错）' }],
          script: ['var total = 1000', 'log.info("开始统计订单, total={}", total)', 'var perPage = size', 'var pages = total / perPage', 'return {total: total, pages: pages}'].join('\n'),
        },
        {
          id: '5a6b7c8d9e0f41a2b3c4d5e6f7a8b9c0',
          name: '价格计算',
          method: 'GET',
          path: 'calculate',
          description: '逐行计算，适合断点调试',
          script: [
            '// 逐步计算订单价格（适合断点调试）',
            'var price = 128',
            'var quantity = 3',
            'var subtotal = price * quantity',
            'log.info("小计: " + subtotal)',
            'var discount = 0.9',
            'var total = subtotal * discount',
            'log.info("折后: " + total)',
            'var shipping = 10',
            'total = total + shipping',
            'log.info("含运费: " + total)',
            'return {subtotal: subtotal, discount: discount, shipping: shipping, total: total}',
          ].join('\n'),
        },
        {
          id: '6b7c8d9e0f1a42b3c4d5e6f7a8b9c0d1',
          name: '库存检查',
          method: 'GET',
          path: 'check',
          description: '用 exit 返回自定义 code',
          script: ['var stock = 0', 'log.warn("库存不足")', 'exit 400, "库存不足", {stock: stock}'].join('\n'),
        },
      ],
    },
  ],
  function: [
    {
      id: 'a2c6b8a7e9f0431a4c5b6e7d8f9a0b12',
      name: '数据处理',
      path: 'data',
      files: [
        {
          id: 'b1c2d3e4f5a647b8c9d0e1f2a3b4c5d6',
          name: '拼接全名',
          path: 'fullName',
          description: '姓和名拼成全名',
          parameters: [
            { name: 'familyName', description: '姓' },
            { name: 'givenName', description: '名' },
          ],
          script: 'return familyName + givenName',
        },
      ],
    },
    {
      id: 'd9a3f5e4b6c7408d1f2e3b4a5c6d7e8f',
      name: '工具函数',
      path: 'util',
      files: [
        {
          id: '7c8d9e0f1a2b43c4d5e6f7a8b9c0d1e2',
          name: '格式化金额',
          path: 'formatMoney',
          description: '金额加上币种前缀',
          parameters: [{ name: 'amount', dataType: 'Double', description: '金额' }],
          script: "return 'CNY ' + amount",
        },
      ],
    },
  ],
  task: [
    {
      id: 'f1c5b7a6d8e9420f3b4a5d6c7e8f9a01',
      name: '报表',
      path: 'report',
      files: [
        {
          id: 'a0b1c2d3e4f546a7b8c9d0e1f2a3b4c5',
          name: '日报',
          path: 'daily',
          cron: '0 30 8 * * ?',
          enabled: true,
          description: '每天早上八点半生成日报',
          script: ['var title = "日报"', 'log.info("生成" + title)', 'return title'].join('\n'),
        },
      ],
    },
    {
      id: 'e0b4a6f5c7d8419e2a3f4c5b6d7e8f90',
      name: '定时任务',
      path: 'job',
      files: [
        {
          id: '8d9e0f1a2b3c44d5e6f7a8b9c0d1e2f3',
          name: '清理日志',
          path: 'cleanLog',
          cron: '0 0 2 * * ?',
          enabled: false,
          description: '每天凌晨两点清理过期日志',
          script: ['log.info("清理过期日志")', 'return true'].join('\n'),
        },
      ],
    },
  ],
  datasource: [
    {
      id: '9e0f1a2b3c4d45e6f7a8b9c0d1e2f3a4',
      name: '从库',
      key: 'slave',
      url: 'jdbc:mysql://127.0.0.1:3306/demo_slave',
      username: 'reader',
      password: 'reader',
      driverClassName: 'com.mysql.cj.jdbc.Driver',
      poolType: 'com.zaxxer.hikari.HikariDataSource',
    },
  ],
};

