#!/usr/bin/env python3
"""The side traffic of bench/load.sh, next to wrk: IDLE connections held open (reopened when the server closes an
idle one, as a browser would), sign-ins at a steady rate with the right password, and, with --attack, one client
sending the oversized multipart upload of the review (a 200,000-character boundary) in a loop. Prints what it saw
as JSON when it ends after SECONDS."""

import argparse
import json
import socket
import threading
import time


def connect(host, port):
    s = socket.create_connection((host, port), timeout=10)
    return s


def request(host, port, raw):
    s = connect(host, port)
    try:
        s.sendall(raw)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data
    finally:
        s.close()


def status_of(data):
    try:
        return int(data.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--idle", type=int, default=500)
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--sign-ins-per-second", type=float, default=2)
    p.add_argument("--attack", action="store_true")
    a = p.parse_args()
    host, end = "127.0.0.1", time.time() + a.seconds
    stats = {"idle_held": 0, "idle_reopened": 0, "sign_ins": 0, "sign_in_failures": 0, "sign_in_ms_max": 0.0,
             "attack_requests": 0, "attack_statuses": {}}
    lock = threading.Lock()

    def idle_holder():
        socks = []
        for _ in range(a.idle):
            socks.append(connect(host, a.port))
        with lock:
            stats["idle_held"] = len(socks)
        while time.time() < end:
            for i, s in enumerate(socks):
                s.setblocking(False)
                try:
                    if s.recv(1) == b"":
                        raise ConnectionResetError
                except BlockingIOError:
                    continue
                except OSError:
                    pass
                s.close()
                socks[i] = connect(host, a.port)
                with lock:
                    stats["idle_reopened"] += 1
            time.sleep(0.5)
        for s in socks:
            s.close()

    def sign_ins():
        body = f"csrf=s_bench&email={a.email}&password={a.password.replace(' ', '+')}&next=%2Fwerk".encode()
        raw = (b"POST /aanmelden HTTP/1.1\r\nHost: x\r\nCookie: wm_signin=s_bench\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: "
               + str(len(body)).encode() + b"\r\n\r\n" + body)
        while time.time() < end:
            started = time.time()
            status = status_of(request(host, a.port, raw))
            ms = (time.time() - started) * 1000
            with lock:
                stats["sign_ins"] += 1
                stats["sign_in_ms_max"] = max(stats["sign_in_ms_max"], round(ms, 1))
                if status != 303:
                    stats["sign_in_failures"] += 1
            time.sleep(max(0.0, 1 / a.sign_ins_per_second - (time.time() - started)))

    def attack():
        boundary = b"b" * 200_000
        body = b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"bestand\"\r\n\r\nx\r\n--" + boundary + b"--\r\n"
        raw = (b"POST /werk/uitvraag/2025/heerlen-noord/upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
               b"Content-Type: multipart/form-data; boundary=" + boundary + b"\r\nContent-Length: "
               + str(len(body)).encode() + b"\r\n\r\n" + body)
        while time.time() < end:
            try:
                status = status_of(request(host, a.port, raw))
            except OSError:
                status = 0
            with lock:
                stats["attack_requests"] += 1
                stats["attack_statuses"][str(status)] = stats["attack_statuses"].get(str(status), 0) + 1

    threads = [threading.Thread(target=idle_holder), threading.Thread(target=sign_ins)]
    if a.attack:
        threads.append(threading.Thread(target=attack))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
