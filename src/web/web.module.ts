import { Module } from '@nestjs/common';
import { WebAssets } from './web-assets';
import { WebController } from './web.controller';

/** Serves the browser UI; its pages and assets are read into memory once, at start-up. */
@Module({
  controllers: [WebController],
  providers: [{ provide: WebAssets, useFactory: () => WebAssets.load(__dirname) }],
})
export class WebModule {}
