"""Quarter maps: folium map building, the map/embed/share pages, their strings, static export.

    page = await service.page_input(app.state, "bochum-hamme", mode="maps", lang="de",
                                    layers_param=None)
    html = page.render_map_page(page)

Data never enters the page: the browser client (``mapservice/static/karte-*.js``) loads the
service's GeoJSON tiles per view, so a page stays small whatever the data size. All vendor
JS/CSS comes from ``mapservice.assets`` (npm packages served by us, never a CDN).
"""
