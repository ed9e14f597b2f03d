// The identity pages (#/iam/users, groups, policies, svcaccts): a tab bar
// over one page per kind. Which tabs show, and which buttons each page
// offers, is what the server says the signed-in user may do (POST access,
// decided by the same authorizer as every admin call); the server still
// decides each call itself.

import { can } from './api.js';
import { h, replace } from './ui.js';
import { IAM_TABS } from './routes.js';
import * as users from './users.js';
import * as groups from './groups.js';
import * as policies from './policies.js';
import * as svcaccts from './svcaccts.js';

const TITLES = { users: 'Users', groups: 'Groups', policies: 'Policies', svcaccts: 'Service accounts' };
const PAGES = { users, groups, policies, svcaccts };

// ACTIONS are the admin actions the pages ask about.
const ACTIONS = [
  'admin:ListUsers', 'admin:CreateUser', 'admin:DeleteUser', 'admin:EnableUser', 'admin:DisableUser', 'admin:ResetUserSecret', 'admin:GetUser',
  'admin:ListGroups', 'admin:GetGroup', 'admin:AddUserToGroup', 'admin:RemoveUserFromGroup', 'admin:EnableGroup', 'admin:DisableGroup',
  'admin:ListUserPolicies', 'admin:GetPolicy', 'admin:CreatePolicy', 'admin:DeletePolicy', 'admin:AttachUserOrGroupPolicy',
  'admin:ListServiceAccounts', 'admin:CreateServiceAccount', 'admin:UpdateServiceAccount', 'admin:RemoveServiceAccount',
];

// permissions returns {action: bool} for ACTIONS; when the server cannot
// say, everything shows (and the server refuses what is not allowed).
async function permissions() {
  const res = await can(ACTIONS.map((action) => ({ action })));
  return Object.fromEntries(ACTIONS.map((a, i) => [a, res ? res[i] : true]));
}

export async function show(root, route, { session }) {
  const perms = await permissions();
  const tabs = h('nav', { class: 'subnav', 'aria-label': 'Identity and access' },
    IAM_TABS.filter((t) => session.iamTabs.includes(t)).map((t) => h('a', {
      href: `#/iam/${t}`, id: `tab-${t}`, 'aria-current': t === route.tab ? 'page' : null,
    }, TITLES[t])));
  const page = h('div', { class: 'iam-page' });
  replace(root, tabs, page);
  document.title = `${TITLES[route.tab]} · Hoard`;
  return PAGES[route.tab].show(page, { session, perms });
}
