import { render } from "preact";
import { App } from "./app";
import "./styles/app.css";
import "./styles/print.css";

render(<App />, document.getElementById("app")!);
