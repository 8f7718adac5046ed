import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** `/api/v1/incidents/:id/notes` */
  path: string;
  params: string[];
}

const METHODS: Partial<Record<RequestMethod, Route['method']>> = {
  [RequestMethod.GET]: 'GET',
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.DELETE]: 'DELETE',
};

function paths(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : '/'];
}

function join(...parts: string[]): string {
  const path = parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p !== '')
    .join('/');
  return `/${path}`;
}

/**
 * Every route the running application serves through its controllers, read from their
 * metadata, so a route another engineer adds later is fuzzed without anyone editing a list.
 */
export function controllerRoutes(app: NestFastifyApplication): Route[] {
  const routes = new Map<string, Route>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!type?.prototype) continue;
      const prefixes = paths(Reflect.getMetadata(PATH_METADATA, type));
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        if (name === 'constructor') continue;
        const handler = (type.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const method = METHODS[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const own = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
        if (!method || own === undefined) continue;
        for (const prefix of prefixes) {
          for (const suffix of paths(own)) {
            const path = join(prefix, suffix);
            const params = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
            routes.set(`${method} ${path}`, { method, path, params });
          }
        }
      }
    }
  }
  return [...routes.values()].sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`));
}

export function writeRoutes(app: NestFastifyApplication): Route[] {
  return controllerRoutes(app).filter((route) => route.method !== 'GET');
}
